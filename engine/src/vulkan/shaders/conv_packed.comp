#version 450
// Any ungrouped 2D convolution the specialised shaders do not take (other
// kernel sizes, strides, dilations, widths): 8 output channels x 4 pixels
// of a row per invocation (conv_packed_params.glsl), the input read value
// by value with its pads masked to zero.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "conv_packed_params.glsl"

void main() {
    uint groupsPerRow = (p.OW + 3u) / 4u;
    Tile t = tileOf(groupsPerRow * p.OH);
    uint oy = t.r / groupsPerRow;
    uint ox0 = (t.r % groupsPerRow) * 4u;
    uint k0 = t.kb * 8u;
    vec4 acc[8];
    for (uint j = 0u; j < 8u; ++j) acc[j] = biasOf(k0 + j);
    uint taps = p.kh * p.kw;
    uint planeSize = p.H * p.W;
    uint image = t.n * p.C * planeSize;
    int iy0 = int(oy * p.strideH) - p.padT;
    int ix0 = int(ox0 * p.strideW) - p.padL;
    for (uint ky = 0u; ky < p.kh; ++ky) {
        int iy = iy0 + int(ky * p.dilH);
        if (iy < 0 || iy >= int(p.H)) continue;
        for (uint kx = 0u; kx < p.kw; ++kx) {
            ivec4 ix = ix0 + int(kx * p.dilW) + ivec4(0, 1, 2, 3) * int(p.strideW);
            vec4 inside = vec4(greaterThanEqual(ix, ivec4(0))) * vec4(lessThan(ix, ivec4(int(p.W))));
            uvec4 col = uvec4(clamp(ix, ivec4(0), ivec4(int(p.W) - 1)));
            uint at = image + uint(iy) * p.W;
            uint wi = (t.kb * p.C * taps + ky * p.kw + kx) * 2u;
            for (uint c = 0u; c < p.C; ++c) {
                vec4 v = vec4(float(x[at + col.x]), float(x[at + col.y]), float(x[at + col.z]), float(x[at + col.w])) * inside;
                at += planeSize;
                vec4 w0 = vec4(w[wi]), w1 = vec4(w[wi + 1u]);
                wi += taps * 2u;
                for (int j = 0; j < 4; ++j) {
                    acc[j] += v * w0[j];
                    acc[j + 4] += v * w1[j];
                }
            }
        }
    }
    if (!t.live) return;
    uint rowBase = t.n * p.K * p.OH * p.OW + oy * p.OW;
    for (uint j = 0u; j < 8u; ++j) store4(k0 + j, rowBase, ox0, acc[j]);
}
