#version 450
// MaxPool with a 2x2 window and stride 2 (no pads or dilation; ceil_mode
// may add a last row), input rows of whole vec4: 4 outputs of a row per
// invocation from two aligned vec4 of each of the two input rows, where
// pool2d.comp loads 4 values per output.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X4 { STORE4_T x4[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { STORE_T y[]; };

layout(push_constant) uniform Params {
    uint count;  // N * C * OH * ceil(OW / 4)
    uint H, W, OH, OW;
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint quads = (p.OW + 3u) / 4u;
    uint ox0 = (i % quads) * 4u;
    uint oy = (i / quads) % p.OH;
    uint plane = i / (quads * p.OH);
    uint rowVec4s = p.W / 4u;
    uint top = (plane * p.H + 2u * oy) * rowVec4s;
    // ceil_mode's last window of an odd height holds one row.
    uint bottom = 2u * oy + 1u < p.H ? top + rowVec4s : top;
    uint first = min(ox0 / 2u, rowVec4s - 1u), second = min(ox0 / 2u + 1u, rowVec4s - 1u);
    vec4 a = max(vec4(x4[top + first]), vec4(x4[bottom + first]));    // columns 2 ox0 .. + 3
    vec4 b = max(vec4(x4[top + second]), vec4(x4[bottom + second]));  // columns 2 ox0 + 4 .. + 7
    vec4 r = vec4(max(a.x, a.y), max(a.z, a.w), max(b.x, b.y), max(b.z, b.w));
    uint at = (plane * p.OH + oy) * p.OW;
    for (uint e = 0u; e < 4u; ++e)
        if (ox0 + e < p.OW) y[at + ox0 + e] = STORE_T(r[e]);
}
