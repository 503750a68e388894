// The exact integer product both integer matmuls and both integer convs
// reduce to: C[M,N] (int32) = A[M,K] (uint8 or int8) x B[K,N] (int8), on
// oneDNN's int8 matmul (VNNI on this CPU). The zero points are not
// oneDNN's business: the callers subtract them afterwards from row and
// column sums (quant_epilogue.h), which keeps one primitive for every
// zero-point shape ONNX allows (per row, per column, run-time values).
// uint8 weights become int8 by subtracting 128, moving their zero point by
// the same amount. Where oneDNN declines, a plain loop computes the same
// integers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <oneapi/dnnl/dnnl.hpp>

#include "cpu/kernel.h"

namespace interstage::cpu::quant {

class Int8Gemm {
public:
    // weightsKnown: packWeights() follows (oneDNN then picks B's layout);
    // otherwise B comes to run() row-major int8.
    // reference: skip oneDNN (tiny products, e.g. one per depthwise group,
    // where a primitive per group costs more than it saves).
    void prepare(int64_t m, int64_t n, int64_t k, bool aSigned, bool weightsKnown, bool reference = false);
    // B known now: [K,N] with strides (rowStride, colStride) in elements,
    // uint8 (shifted to int8 here) or int8; packed into oneDNN's preferred
    // layout. Returns the packed bytes.
    std::size_t packWeights(const void* b, bool bSigned, int64_t rowStride, int64_t colStride);
    // Scratch bytes run() needs (oneDNN's scratchpad).
    std::size_t workspaceBytes() const { return scratchpadBytes_; }

    // C = A x B; b is ignored when the weights are packed.
    Status run(const void* a, const int8_t* b, int32_t* c, void* scratch) const;

    int64_t m() const { return m_; }
    int64_t n() const { return n_; }
    int64_t k() const { return k_; }

private:
    void referenceRun(const void* a, const int8_t* b, int32_t* c) const;

    int64_t m_ = 0, n_ = 0, k_ = 0;
    bool aSigned_ = false;
    bool useDnnl_ = false;
    dnnl::matmul primitive_;
    dnnl::matmul::primitive_desc pd_;
    dnnl::memory packed_;              // the weights in pd_'s layout, when constant
    std::vector<int8_t> plainPacked_;  // the same for the reference path
    bool packedWeights_ = false;
    std::size_t scratchpadBytes_ = 0;
};

}  // namespace interstage::cpu::quant
