#version 450
// Resize over H and W, NCHW, nearest (1 tap) or bilinear (2 taps). The
// per-axis tap tables (input index and weight per output coordinate) are
// built on the host by the CPU kernel's planResize, so every coordinate
// transformation mode matches the oracle exactly. Table layout (32-bit
// words): H indices [OH*taps], H weights [OH*taps], W indices [OW*taps],
// W weights [OW*taps]; weights are float bits.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) readonly buffer T { uint table[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Y { STORE_T y[]; };

layout(push_constant) uniform Params {
    uint count;  // N * C * OH * OW
    uint H, W, OH, OW;
    uint taps;
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint ox = i % p.OW;
    uint oy = (i / p.OW) % p.OH;
    uint plane = i / (p.OW * p.OH);
    uint hIdx = 0u, hW = p.OH * p.taps, wIdx = 2u * p.OH * p.taps, wW = wIdx + p.OW * p.taps;
    float sum = 0.0;
    for (uint ty = 0u; ty < p.taps; ++ty) {
        uint iy = table[hIdx + oy * p.taps + ty];
        float wy = uintBitsToFloat(table[hW + oy * p.taps + ty]);
        for (uint tx = 0u; tx < p.taps; ++tx) {
            uint ix = table[wIdx + ox * p.taps + tx];
            float wx = uintBitsToFloat(table[wW + ox * p.taps + tx]);
            sum += wy * wx * float(x[(plane * p.H + iy) * p.W + ix]);
        }
    }
    y[i] = STORE_T(sum);
}
