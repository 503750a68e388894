#version 450
// Depthwise convolutions (group = C, K a multiple of C) with stride 1 along
// x and W a multiple of 4: one output channel x 8 pixels of a row per
// invocation. Each input row is read as the four aligned vec4 around the 8
// pixels (as in conv3x3_packed.comp), so a 3x3 kernel costs 4 loads and 3
// weights per kernel row for 24 multiply-adds where conv2d.comp loads two
// values per multiply-add. The kernel uses it where every tap lies within
// those 16 values (padL <= 4, (kw - 1) * dilW - padL <= 4: 3x3 and 5x5
// with "same" pads).
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "conv_params.glsl"

// Specialization constant 2 (vk_conv.cpp sets it): the fused ACT_*
// activation, compiled in instead of tested for every output.
layout(constant_id = 2) const uint ACT = ACT_NONE;
layout(std430, set = 0, binding = 4) readonly buffer X4 { STORE4_T x4[]; };

#include "row_window.glsl"

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint groupsPerRow = (p.OW + 7u) / 8u;
    uint ox0 = (i % groupsPerRow) * 8u;
    uint oy = (i / groupsPerRow) % p.OH;
    uint plane = i / (groupsPerRow * p.OH);  // n * K + k
    uint k = plane % p.K;
    uint n = plane / p.K;
    uint c = k / (p.K / p.C);
    float b = p.hasBias != 0u ? float(bias[k]) : 0.0;
    vec4 lo = vec4(b), hi = vec4(b);
    int rowVec4s = int(p.W / 4u);
    int first = int(ox0) / 4 - 1;
    uint b0 = uint(clamp(first, 0, rowVec4s - 1)), b1 = uint(clamp(first + 1, 0, rowVec4s - 1));
    uint b2 = uint(clamp(first + 2, 0, rowVec4s - 1)), b3 = uint(clamp(first + 3, 0, rowVec4s - 1));
    uint image = (n * p.C + c) * p.H * uint(rowVec4s);
    uint wBase = k * p.kh * p.kw;
    int iy0 = int(oy * p.strideH) - p.padT;
    for (uint ky = 0u; ky < p.kh; ++ky) {
        int iy = iy0 + int(ky * p.dilH);
        if (iy < 0 || iy >= int(p.H)) continue;
        uint row = image + uint(iy) * uint(rowVec4s);
        vec4 v0 = vec4(x4[row + b0]), v1 = vec4(x4[row + b1]), v2 = vec4(x4[row + b2]), v3 = vec4(x4[row + b3]);
        for (uint kx = 0u; kx < p.kw; ++kx) {
            int o = int(kx * p.dilW) - p.padL;  // tap kx starts at column ox0 + o
            float wt = float(w[wBase + ky * p.kw + kx]);
            lo += window4(v0, v1, v2, o + 4) * inside(int(ox0) + o) * wt;
            hi += window4(v1, v2, v3, o + 4) * inside(int(ox0) + o + 4) * wt;
        }
    }
    uint at = (plane * p.OH + oy) * p.OW;
    for (uint e = 0u; e < 4u; ++e) {
        if (ox0 + e < p.OW) y[at + ox0 + e] = STORE_T(activate(lo[e], ACT, p.alpha, p.beta));
        if (ox0 + 4u + e < p.OW) y[at + ox0 + 4u + e] = STORE_T(activate(hi[e], ACT, p.alpha, p.beta));
    }
}
