#version 450
// Upsampling ConvTranspose with a 2x2 kernel and stride 2 (no pads,
// dilation or groups; the input width a multiple of 4): output (oy, ox)
// takes exactly one tap, (oy % 2, ox % 2), of input (oy / 2, ox / 2). An
// invocation computes 8 output channels x 8 pixels of an output row from
// one vec4 of 4 input pixels per input channel and the row's two taps'
// packed weights (conv_packed_params.glsl: tap = ky * 2 + kx): 5 loads
// for 64 multiply-adds.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "conv_packed_params.glsl"

void main() {
    uint groupsPerRow = (p.OW + 7u) / 8u;
    Tile t = tileOf(groupsPerRow * p.OH);
    uint oy = t.r / groupsPerRow;
    uint ox0 = (t.r % groupsPerRow) * 8u;
    uint k0 = t.kb * 8u;
    vec4 lo[8], hi[8];
    for (uint j = 0u; j < 8u; ++j) {
        lo[j] = biasOf(k0 + j);
        hi[j] = lo[j];
    }
    uint rowVec4s = p.W / 4u;
    uint plane = p.H * rowVec4s;
    uint at = t.n * p.C * plane + (oy / 2u) * rowVec4s + min(ox0 / 8u, rowVec4s - 1u);
    uint wi = (t.kb * p.C * 4u + (oy % 2u) * 2u) * 2u;  // tap (oy % 2, 0); then (oy % 2, 1)
    for (uint c = 0u; c < p.C; ++c) {
        vec4 v = vec4(x4[at]);
        at += plane;
        vec4 left0 = vec4(w[wi]), left1 = vec4(w[wi + 1u]), right0 = vec4(w[wi + 2u]), right1 = vec4(w[wi + 3u]);
        wi += 8u;
        vec4 first = v.xxyy, second = v.zzww;  // each input pixel feeds two outputs
        for (int j = 0; j < 4; ++j) {
            vec4 taps = vec4(left0[j], right0[j], left0[j], right0[j]);
            lo[j] += first * taps;
            hi[j] += second * taps;
            taps = vec4(left1[j], right1[j], left1[j], right1[j]);
            lo[j + 4] += first * taps;
            hi[j + 4] += second * taps;
        }
    }
    if (!t.live) return;
    uint rowBase = t.n * p.K * p.OH * p.OW + oy * p.OW;
    for (uint j = 0u; j < 8u; ++j) {
        store4(k0 + j, rowBase, ox0, lo[j]);
        store4(k0 + j, rowBase, ox0 + 4u, hi[j]);
    }
}
