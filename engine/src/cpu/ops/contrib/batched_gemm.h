// Row-major float matrix products for the contrib kernels, through
// oneDNN's sgemm (which threads itself with OpenMP): MatMul-style batches
// with numpy broadcasting of the batch dims, resolved once at prepare.
#pragma once

#include <cstdint>
#include <vector>

#include "interstage/shape.h"

namespace interstage::cpu::contrib {

// C = alpha * op(A) * op(B) (+ beta * C), row-major, op a transpose when
// the flag is set. A is M x K after op, B is K x N after op.
void sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A, const float* B,
           float beta, float* C);
// The same with explicit leading dimensions (rows of A, B and C apart, in
// elements), for matrices inside wider rows (one head of many).
void sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// The batches of a broadcast MatMul: output batch i multiplies A's matrix
// aOffsets[i] and B's matrix bOffsets[i] (in elements).
struct BatchPlan {
    std::vector<int64_t> aOffsets, bOffsets;
    // a and b are the operand shapes (rank >= 2), out the output's batch dims.
    void build(const Shape& a, const Shape& b, const Shape& outBatch);
};

}  // namespace interstage::cpu::contrib
