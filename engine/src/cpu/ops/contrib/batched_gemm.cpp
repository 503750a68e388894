#include "cpu/ops/contrib/batched_gemm.h"

#include <oneapi/dnnl/dnnl.h>

namespace interstage::cpu::contrib {

void sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A, const float* B,
           float beta, float* C) {
    sgemm(transA, transB, M, N, K, alpha, A, transA ? M : K, B, transB ? K : N, beta, C, N);
}

void sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    // Inside an OpenMP team (one head per thread) oneDNN runs single-threaded.
    dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void BatchPlan::build(const Shape& a, const Shape& b, const Shape& outBatch) {
    // Walks the output's batch index, advancing each operand only along the
    // dims it really has (size 1 or missing dims broadcast).
    const size_t rank = outBatch.size();
    auto strides = [&](const Shape& s) {
        const size_t batchRank = s.size() - 2;
        std::vector<int64_t> st(rank, 0);
        int64_t stride = s[s.size() - 1] * s[s.size() - 2];
        for (size_t i = batchRank; i-- > 0;) {
            const size_t o = rank - batchRank + i;
            st[o] = s[i] == 1 ? 0 : stride;
            stride *= s[i];
        }
        return st;
    };
    const std::vector<int64_t> sa = strides(a), sb = strides(b);
    int64_t total = 1;
    for (int64_t d : outBatch) total *= d;
    aOffsets.assign(static_cast<size_t>(total), 0);
    bOffsets.assign(static_cast<size_t>(total), 0);
    for (int64_t i = 0; i < total; ++i) {
        int64_t rest = i, ao = 0, bo = 0;
        for (size_t d = rank; d-- > 0;) {
            const int64_t idx = rest % outBatch[d];
            rest /= outBatch[d];
            ao += idx * sa[d];
            bo += idx * sb[d];
        }
        aOffsets[static_cast<size_t>(i)] = ao;
        bOffsets[static_cast<size_t>(i)] = bo;
    }
}

}  // namespace interstage::cpu::contrib
