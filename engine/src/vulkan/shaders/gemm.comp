#version 450
// Gemm and MatMul: Y[b] = alpha * op(A[b]) * op(B[b]) + beta * C, one output
// element per invocation. Batch strides of 0 broadcast an operand (MatMul
// with a 2D weight); C is broadcast through its own row / column strides.
#extension GL_GOOGLE_include_directive : enable
#include "common.glsl"

layout(std430, set = 0, binding = 0) readonly buffer A { STORE_T a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { STORE_T b[]; };
layout(std430, set = 0, binding = 2) readonly buffer Cb { STORE_T c[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Y { STORE_T y[]; };

layout(push_constant) uniform Params {
    uint count;  // batch * M * N
    uint M, N, K;
    uint aRow, aCol, bRow, bCol;    // element strides (transposes swap them)
    uint aBatch, bBatch;
    uint hasC, cRow, cCol;
    float alpha, beta;
    uint act;
    float actAlpha, actBeta;
} p;

void main() {
    uint i = globalIndex();
    if (i >= p.count) return;
    uint col = i % p.N;
    uint row = (i / p.N) % p.M;
    uint batch = i / (p.N * p.M);
    uint aBase = batch * p.aBatch + row * p.aRow;
    uint bBase = batch * p.bBatch + col * p.bCol;
    float sum = 0.0;
    for (uint k = 0u; k < p.K; ++k) sum += float(a[aBase + k * p.aCol]) * float(b[bBase + k * p.bRow]);
    float r = p.alpha * sum;
    if (p.hasC != 0u) r += p.beta * float(c[row * p.cRow + col * p.cCol]);
    y[i] = STORE_T(activate(r, p.act, p.actAlpha, p.actBeta));
}
