#version 450
// Gemm and MatMul as gemm.comp computes them, a 4 x 4 block of the output
// per invocation: each step of the inner dimension loads 4 values of A and
// 4 of B for 16 multiply-adds, where gemm.comp loads 2 per multiply-add.
// The kernel uses it where M and N are both 4 or more.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer A { STORE_T a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { STORE_T b[]; };
layout(std430, set = 0, binding = 2) readonly buffer Cb { STORE_T c[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Y { STORE_T y[]; };

layout(push_constant) uniform Params {
    uint count;  // batch * ceil(M / 4) * ceil(N / 4)
    uint M, N, K;
    uint aRow, aCol, bRow, bCol;    // element strides (transposes swap them)
    uint aBatch, bBatch;
    uint hasC, cRow, cCol;
    float alpha, beta;
    uint act;
    float actAlpha, actBeta;
} p;

float cAt(uint row, uint col) { return float(c[row * p.cRow + col * p.cCol]); }

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint tilesN = (p.N + 3u) / 4u, tilesM = (p.M + 3u) / 4u;
    uint col0 = (i % tilesN) * 4u;
    uint row0 = ((i / tilesN) % tilesM) * 4u;
    uint batch = i / (tilesN * tilesM);
    // Rows and columns past the end read the last one again and are not written.
    uvec4 rows = min(uvec4(row0) + uvec4(0u, 1u, 2u, 3u), uvec4(p.M - 1u));
    uvec4 cols = min(uvec4(col0) + uvec4(0u, 1u, 2u, 3u), uvec4(p.N - 1u));
    uvec4 aAt = batch * p.aBatch + rows * p.aRow;
    uvec4 bAt = batch * p.bBatch + cols * p.bCol;
    vec4 acc[4] = vec4[4](vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0));  // acc[r][c]
    for (uint k = 0u; k < p.K; ++k) {
        vec4 av = vec4(float(a[aAt.x]), float(a[aAt.y]), float(a[aAt.z]), float(a[aAt.w]));
        vec4 bv = vec4(float(b[bAt.x]), float(b[bAt.y]), float(b[bAt.z]), float(b[bAt.w]));
        aAt += p.aCol;
        bAt += p.bRow;
        acc[0] += av.x * bv;
        acc[1] += av.y * bv;
        acc[2] += av.z * bv;
        acc[3] += av.w * bv;
    }
    for (uint r = 0u; r < 4u; ++r) {
        uint row = row0 + r;
        if (row >= p.M) break;
        for (uint c = 0u; c < 4u; ++c) {
            uint col = col0 + c;
            if (col >= p.N) break;
            float v = p.alpha * acc[r][c];
            if (p.hasC != 0u) v += p.beta * cAt(row, col);
            y[(batch * p.M + row) * p.N + col] = STORE_T(activate(v, p.act, p.actAlpha, p.actBeta));
        }
    }
}
