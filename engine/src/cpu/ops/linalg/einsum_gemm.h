// Einsum's fast path: a two-operand float32 contraction without diagonals
// or one-sided sums is a batched matrix product. Each subscript is a batch
// (both operands and the output), M (A and output), N (B and output) or K
// (both operands, summed) label; operands already laid out as batch x M x K
// / batch x K x M (A) and batch x K x N / batch x N x K (B) go to sgemm in
// place, others are first gathered into that layout in the workspace, and
// the product goes to the output directly when its subscripts are in
// batch, M, N order (else through the workspace).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "interstage/shape.h"
#include "ops/einsum_equation.h"

namespace interstage::cpu::linalg {

class EinsumGemm {
public:
    // False when the equation is not such a product (the general loop runs).
    bool plan(const ops::EinsumEquation& eq, const std::vector<Shape>& shapes);
    std::size_t workspaceBytes() const;
    void run(const float* a, const float* b, float* out, void* workspace) const;

private:
    // How one operand reaches sgemm: read in place (transposed or not), or
    // gathered by these dims and strides into row-major [batch][rows][cols].
    struct Operand {
        bool inPlace = false;
        bool transposed = false;       // in place as [batch][cols][rows]
        Shape gatherDims;              // batch labels, then rows, then cols
        std::vector<int64_t> strides;  // the operand's stride for each
    };

    int64_t batch_ = 1, m_ = 1, n_ = 1, k_ = 1;
    Operand a_, b_;
    bool outputInPlace_ = true;
    Shape scatterDims_;                    // the output's dims, in its order
    std::vector<int64_t> scatterStrides_;  // the packed product's stride for each
};

}  // namespace interstage::cpu::linalg
