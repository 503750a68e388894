#version 450
// Transposed 2D convolution, NCHW, weights {C, K / group, kh, kw}, one
// output element per invocation. Gathering instead of scattering keeps the
// writes race-free: output (oy, ox) receives input (iy, ix) through tap
// (ky, kx) when iy * stride + ky * dil - pad == oy, so only the taps whose
// distance divides by the stride contribute. padT / padL crop the start of
// the full output; output_padding only makes the output longer, which
// OH / OW already say.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "conv_params.glsl"

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint ox = i % p.OW;
    uint oy = (i / p.OW) % p.OH;
    uint k = (i / (p.OW * p.OH)) % p.K;
    uint n = i / (p.OW * p.OH * p.K);
    uint cPerGroup = p.C / p.group;
    uint kPerGroup = p.K / p.group;
    uint c0 = (k / kPerGroup) * cPerGroup;
    uint kInGroup = k % kPerGroup;
    float sum = p.hasBias != 0u ? float(bias[k]) : 0.0;
    int y0 = int(oy) + p.padT;
    int x0 = int(ox) + p.padL;
    for (uint ky = 0u; ky < p.kh; ++ky) {
        int ty = y0 - int(ky * p.dilH);
        if (ty < 0 || ty % int(p.strideH) != 0) continue;
        uint iy = uint(ty) / p.strideH;
        if (iy >= p.H) continue;
        for (uint kx = 0u; kx < p.kw; ++kx) {
            int tx = x0 - int(kx * p.dilW);
            if (tx < 0 || tx % int(p.strideW) != 0) continue;
            uint ix = uint(tx) / p.strideW;
            if (ix >= p.W) continue;
            for (uint c = 0u; c < cPerGroup; ++c) {
                uint xi = ((n * p.C + c0 + c) * p.H + iy) * p.W + ix;
                uint wi = (((c0 + c) * kPerGroup + kInGroup) * p.kh + ky) * p.kw + kx;
                sum += float(x[xi]) * float(w[wi]);
            }
        }
    }
    y[i] = STORE_T(activate(sum, p.act, p.alpha, p.beta));
}
