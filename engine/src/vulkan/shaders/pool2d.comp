#version 450
// MaxPool / AveragePool over H and W, NCHW, one output element per
// invocation. The output size (ceil_mode included) comes resolved from the
// graph; windows that run past the input read only real elements. The
// average divides by the taps inside input + pads (count_include_pad) or
// inside the input, as the CPU kernel does.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer X { STORE_T x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Y { STORE_T y[]; };

layout(push_constant) uniform Params {
    uint count;  // N * C * OH * OW
    uint H, W, OH, OW;
    uint kh, kw;
    uint strideH, strideW;
    uint dilH, dilW;
    int padT, padL, padB, padR;
    uint isMax;
    uint countIncludePad;
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint ox = i % p.OW;
    uint oy = (i / p.OW) % p.OH;
    uint plane = i / (p.OW * p.OH);
    uint base = plane * p.H * p.W;
    int iy0 = int(oy * p.strideH) - p.padT;
    int ix0 = int(ox * p.strideW) - p.padL;
    float best = -3.402823466e38;
    float sum = 0.0;
    uint inside = 0u, padded = 0u;
    for (uint ky = 0u; ky < p.kh; ++ky) {
        int iy = iy0 + int(ky * p.dilH);
        bool yPad = iy >= -p.padT && iy < int(p.H) + p.padB;
        for (uint kx = 0u; kx < p.kw; ++kx) {
            int ix = ix0 + int(kx * p.dilW);
            if (yPad && ix >= -p.padL && ix < int(p.W) + p.padR) ++padded;
            if (iy < 0 || iy >= int(p.H) || ix < 0 || ix >= int(p.W)) continue;
            float v = float(x[base + uint(iy) * p.W + uint(ix)]);
            best = max(best, v);
            sum += v;
            ++inside;
        }
    }
    if (p.isMax != 0u) y[i] = STORE_T(best);
    else y[i] = STORE_T(sum / float(max(p.countIncludePad != 0u ? padded : inside, 1u)));
}
