#version 450
// Direct 2D convolution, NCHW, weights OIHW (I = C / group): one output
// element per invocation. Groups, depthwise, dilation, stride, pads, bias
// and a fused activation. Correctness first; no tiling.
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
    float sum = p.hasBias != 0u ? float(bias[k]) : 0.0;
    int iy0 = int(oy * p.strideH) - p.padT;
    int ix0 = int(ox * p.strideW) - p.padL;
    for (uint c = 0u; c < cPerGroup; ++c) {
        uint xBase = ((n * p.C) + c0 + c) * p.H * p.W;
        uint wBase = (k * cPerGroup + c) * p.kh * p.kw;
        for (uint ky = 0u; ky < p.kh; ++ky) {
            int iy = iy0 + int(ky * p.dilH);
            if (iy < 0 || iy >= int(p.H)) continue;
            for (uint kx = 0u; kx < p.kw; ++kx) {
                int ix = ix0 + int(kx * p.dilW);
                if (ix < 0 || ix >= int(p.W)) continue;
                sum += float(x[xBase + uint(iy) * p.W + uint(ix)]) * float(w[wBase + ky * p.kw + kx]);
            }
        }
    }
    y[i] = STORE_T(activate(sum, p.act, p.alpha, p.beta));
}
