#version 450
// Pointwise convolutions (1x1, stride 1, no pads): 8 output channels x 8
// pixels per invocation (conv_packed_params.glsl). The kernel flattens
// each image to one row (H = OH = 1, W = OW = the pixel count, a multiple
// of 4), so every input channel is two aligned vec4 loads and two weight
// vec4 for 64 multiply-adds.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "conv_packed_params.glsl"

void main() {
    uint groups = (p.OW + 7u) / 8u;
    Tile t = tileOf(groups);
    uint ox0 = t.r * 8u;
    uint k0 = t.kb * 8u;
    vec4 lo[8], hi[8];
    for (uint j = 0u; j < 8u; ++j) {
        lo[j] = biasOf(k0 + j);
        hi[j] = lo[j];
    }
    uint plane = p.W / 4u;
    uint at = t.n * p.C * plane + min(ox0 / 4u, plane - 1u);
    uint atHigh = t.n * p.C * plane + min(ox0 / 4u + 1u, plane - 1u);
    uint wi = t.kb * p.C * 2u;
    for (uint c = 0u; c < p.C; ++c) {
        vec4 a = vec4(x4[at]), b = vec4(x4[atHigh]);
        at += plane;
        atHigh += plane;
        vec4 w0 = vec4(w[wi]), w1 = vec4(w[wi + 1u]);
        wi += 2u;
        for (int j = 0; j < 4; ++j) {
            lo[j] += a * w0[j];
            hi[j] += b * w0[j];
            lo[j + 4] += a * w1[j];
            hi[j + 4] += b * w1[j];
        }
    }
    if (!t.live) return;
    uint rowBase = t.n * p.K * p.OW;
    for (uint j = 0u; j < 8u; ++j) {
        store4(k0 + j, rowBase, ox0, lo[j]);
        store4(k0 + j, rowBase, ox0 + 4u, hi[j]);
    }
}
