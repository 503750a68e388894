#version 450
// 3-wide convolutions with stride 1 along x (3x3 and 1x3, any dilation the
// kernel accepts, any stride along y): 8 output channels x 8 pixels of a
// row per invocation (conv_packed_params.glsl). Each input row is read as
// the four aligned vec4 around the 8 pixels, 16 values that every tap of
// the row takes its 4 + 4 from: 4 loads and 6 weight vec4 per input channel
// and kernel row, for 192 multiply-adds. The kernel uses this shader only
// where W is a multiple of 4 and every tap lies within those 16 values
// (padL <= 4 and 2 * dilW - padL <= 4: dilations 1, 2 and 4 with "same"
// pads); others take conv_packed.comp.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"
#include "conv_packed_params.glsl"
#include "row_window.glsl"

// Specialization constants (vk_conv.cpp sets them): the left pad and the
// dilation along x, so that each tap's place in the loaded vec4 is a
// literal and window4() compiles to register moves, not selects.
layout(constant_id = 0) const int PAD_L = 1;
layout(constant_id = 1) const int DIL_W = 1;

void main() {
    uint groupsPerRow = (p.OW + 7u) / 8u;
    Tile t = tileOf(groupsPerRow * p.OH);
    uint oy = t.r / groupsPerRow;
    uint ox0 = (t.r % groupsPerRow) * 8u;
    uint k0 = t.kb * 8u;
    vec4 lo[8], hi[8];  // pixels ox0 .. +3 and ox0 + 4 .. +7 of channel k0 + j
    for (uint j = 0u; j < 8u; ++j) {
        lo[j] = biasOf(k0 + j);
        hi[j] = lo[j];
    }
    // Tap kx starts at column ox0 + o[kx]; relative to the first loaded
    // vec4 (columns ox0 - 4 ..), at pos[kx].
    const int o0 = -PAD_L, o1 = o0 + DIL_W, o2 = o1 + DIL_W;
    const int pos0 = o0 + 4, pos1 = o1 + 4, pos2 = o2 + 4;
    int ox = int(ox0);
    vec4 in0 = inside(ox + o0), in0h = inside(ox + o0 + 4);
    vec4 in1 = inside(ox + o1), in1h = inside(ox + o1 + 4);
    vec4 in2 = inside(ox + o2), in2h = inside(ox + o2 + 4);
    int rowVec4s = int(p.W / 4u);
    int first = ox / 4 - 1;
    uint b0 = uint(clamp(first, 0, rowVec4s - 1)), b1 = uint(clamp(first + 1, 0, rowVec4s - 1));
    uint b2 = uint(clamp(first + 2, 0, rowVec4s - 1)), b3 = uint(clamp(first + 3, 0, rowVec4s - 1));
    uint plane = p.H * uint(rowVec4s);
    uint image = t.n * p.C * plane;
    uint taps = p.kh * 3u;
    int iy0 = int(oy * p.strideH) - p.padT;
    for (uint ky = 0u; ky < p.kh; ++ky) {
        int iy = iy0 + int(ky * p.dilH);
        if (iy < 0 || iy >= int(p.H)) continue;
        uint row = image + uint(iy) * uint(rowVec4s);
        uint wi = (t.kb * p.C * taps + ky * 3u) * 2u;
        for (uint c = 0u; c < p.C; ++c) {
            vec4 v0 = vec4(x4[row + b0]), v1 = vec4(x4[row + b1]), v2 = vec4(x4[row + b2]), v3 = vec4(x4[row + b3]);
            row += plane;
            vec4 a0 = window4(v0, v1, v2, pos0) * in0, h0 = window4(v1, v2, v3, pos0) * in0h;
            vec4 a1 = window4(v0, v1, v2, pos1) * in1, h1 = window4(v1, v2, v3, pos1) * in1h;
            vec4 a2 = window4(v0, v1, v2, pos2) * in2, h2 = window4(v1, v2, v3, pos2) * in2h;
            vec4 w0 = vec4(w[wi]), w1 = vec4(w[wi + 1u]), w2 = vec4(w[wi + 2u]);
            vec4 w3 = vec4(w[wi + 3u]), w4 = vec4(w[wi + 4u]), w5 = vec4(w[wi + 5u]);
            wi += taps * 2u;
            for (int j = 0; j < 4; ++j) {
                lo[j] += a0 * w0[j] + a1 * w2[j] + a2 * w4[j];
                hi[j] += h0 * w0[j] + h1 * w2[j] + h2 * w4[j];
                lo[j + 4] += a0 * w1[j] + a1 * w3[j] + a2 * w5[j];
                hi[j + 4] += h0 * w1[j] + h1 * w3[j] + h2 * w5[j];
            }
        }
    }
    if (!t.live) return;
    uint rowBase = t.n * p.K * p.OH * p.OW + oy * p.OW;
    for (uint j = 0u; j < 8u; ++j) {
        store4(k0 + j, rowBase, ox0, lo[j]);
        store4(k0 + j, rowBase, ox0 + 4u, hi[j]);
    }
}
