#version 450
// Resize over H and W, NCHW, nearest (1 tap) or bilinear (2 taps). The
// per-axis tap tables are built on the host by the CPU kernel's planResize,
// so every coordinate transformation mode matches the oracle exactly. Each
// output row and column has one uvec4 (index 0, index 1, weight 0 bits,
// weight 1 bits; one tap: weight 1 is 0): rows [OH] then columns [OW], so a
// coordinate's taps are one load. An invocation writes 4 neighbouring
// outputs of a row and reads the row's taps once.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) readonly buffer T { uvec4 table[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Y { STORE_T y[]; };

layout(push_constant) uniform Params {
    uint count;  // N * C * OH * ceil(OW / 4)
    uint H, W, OH, OW;
    uint taps;
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint quads = (p.OW + 3u) / 4u;
    uint ox0 = (i % quads) * 4u;
    uint oy = (i / quads) % p.OH;
    uint plane = i / (quads * p.OH);
    uvec4 row = table[oy];
    uint top = (plane * p.H + row.x) * p.W, bottom = (plane * p.H + row.y) * p.W;
    float wTop = uintBitsToFloat(row.z), wBottom = uintBitsToFloat(row.w);
    uint at = (plane * p.OH + oy) * p.OW;
    for (uint e = 0u; e < 4u; ++e) {
        uint ox = ox0 + e;
        if (ox >= p.OW) break;
        uvec4 col = table[p.OH + ox];
        float wl = uintBitsToFloat(col.z), wr = uintBitsToFloat(col.w);
        float sum = wTop * wl * float(x[top + col.x]);
        if (p.taps > 1u)
            sum += wTop * wr * float(x[top + col.y]) +
                   wBottom * (wl * float(x[bottom + col.x]) + wr * float(x[bottom + col.y]));
        y[at + ox] = STORE_T(sum);
    }
}
