#version 450
// Depthwise convolutions (group = C, K a multiple of C) that
// conv_depthwise_rows.comp does not take (strides along x, other widths
// and kernels): one output channel x 4 pixels of a row per invocation, so
// each weight is loaded once for 4 multiply-adds.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "conv_params.glsl"

// Specialization constant 2 (vk_conv.cpp sets it): the fused ACT_*
// activation, compiled in instead of tested for every output.
layout(constant_id = 2) const uint ACT = ACT_NONE;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint groupsPerRow = (p.OW + 3u) / 4u;
    uint ox0 = (i % groupsPerRow) * 4u;
    uint oy = (i / groupsPerRow) % p.OH;
    uint plane = i / (groupsPerRow * p.OH);  // n * K + k
    uint k = plane % p.K;
    uint n = plane / p.K;
    uint c = k / (p.K / p.C);
    vec4 acc = vec4(p.hasBias != 0u ? float(bias[k]) : 0.0);
    uint image = (n * p.C + c) * p.H * p.W;
    uint wBase = k * p.kh * p.kw;
    int iy0 = int(oy * p.strideH) - p.padT;
    int ix0 = int(ox0 * p.strideW) - p.padL;
    for (uint ky = 0u; ky < p.kh; ++ky) {
        int iy = iy0 + int(ky * p.dilH);
        if (iy < 0 || iy >= int(p.H)) continue;
        uint row = image + uint(iy) * p.W;
        for (uint kx = 0u; kx < p.kw; ++kx) {
            ivec4 ix = ix0 + int(kx * p.dilW) + ivec4(0, 1, 2, 3) * int(p.strideW);
            vec4 inside = vec4(greaterThanEqual(ix, ivec4(0))) * vec4(lessThan(ix, ivec4(int(p.W))));
            uvec4 col = uvec4(clamp(ix, ivec4(0), ivec4(int(p.W) - 1)));
            vec4 v = vec4(float(x[row + col.x]), float(x[row + col.y]), float(x[row + col.z]), float(x[row + col.w])) * inside;
            acc += v * float(w[wBase + ky * p.kw + kx]);
        }
    }
    uint at = (plane * p.OH + oy) * p.OW;
    for (uint e = 0u; e < 4u; ++e)
        if (ox0 + e < p.OW) y[at + ox0 + e] = STORE_T(activate(acc[e], ACT, p.alpha, p.beta));
}
