// MatMulNBits (com.microsoft): A [..., K] times a 4-bit block-quantized
// weight B, given as N columns of K values in blocks of block_size: byte j
// of a block holds element 2j in its low nibble and 2j+1 in its high one;
// element = (q - zero_point) * scale, per block, zero point 8 when none is
// given (uint8 zero points pack two blocks a byte, low nibble first).
//
// Few rows (decoding, M <= kFewRows) never widen the weight: each column's
// blocks are dotted straight from the packed nibbles against the rows of A,
// split into even and odd elements in the workspace so the nibbles meet
// contiguous floats. That reads 4.5 bits per weight instead of 32, which is
// what a matrix-vector product is bound by. Many rows (a prompt) widen B
// once per run into the workspace and use sgemm, which is compute bound.
// GCC 12's AVX-512 headers warn about their own _mm512_undefined_*()
// (GCC bug 105593); the intrinsics are correct.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <cstring>

#include "cpu/ops/contrib/batched_gemm.h"
#include "cpu/ops/contrib/contrib_kernels.h"
#include "cpu/parallel.h"
#include "cpu/simd_dispatch.h"

namespace interstage::cpu::contrib {

namespace {

constexpr int64_t kFewRows = 4;

// One column of B against one row of A: sum over blocks b of scales[b] *
// (sum_j lo(q[j]) * even[j] + hi(q[j]) * odd[j]), q the block's bytes and
// even / odd the row's elements 2j / 2j + 1 within the block (the row as
// the kernel splits it: block after block, evens then odds).
using ColumnDot = float (*)(const uint8_t* q, const float* split, const float* scales, int64_t blocks, int64_t block);

float columnDotBaseline(const uint8_t* q, const float* split, const float* scales, int64_t blocks, int64_t block) {
    const int64_t half = block / 2;
    float sum = 0.f;
    for (int64_t b = 0; b < blocks; ++b, q += half, split += block) {
        float dot = 0.f;
        for (int64_t j = 0; j < half; ++j)
            dot += static_cast<float>(q[j] & 15) * split[j] + static_cast<float>(q[j] >> 4) * split[half + j];
        sum += scales[b] * dot;
    }
    return sum;
}

// The same with the scaled products kept in one vector across the column
// (one horizontal sum per column, not per block): block_size is a
// multiple of 32, so each block is whole 16-byte chunks.
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))) float columnDotAvx512(
    const uint8_t* q, const float* split, const float* scales, int64_t blocks, int64_t block) {
    const int64_t half = block / 2;
    const __m512i low = _mm512_set1_epi32(15);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t b = 0; b < blocks; ++b, q += half, split += block) {
        __m512 dot = _mm512_setzero_ps();
        for (int64_t j = 0; j < half; j += 16) {
            const __m512i bytes = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + j)));
            const __m512 lo = _mm512_cvtepi32_ps(_mm512_and_si512(bytes, low));
            const __m512 hi = _mm512_cvtepi32_ps(_mm512_srli_epi32(bytes, 4));
            dot = _mm512_fmadd_ps(lo, _mm512_loadu_ps(split + j), dot);
            dot = _mm512_fmadd_ps(hi, _mm512_loadu_ps(split + half + j), dot);
        }
        acc = _mm512_fmadd_ps(_mm512_set1_ps(scales[b]), dot, acc);
    }
    return _mm512_reduce_add_ps(acc);
}

class MatMulNBitsKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        const Node& node = context.node();
        if (context.inputType(0) != DataType::Float || context.inputType(2) != DataType::Float)
            return context.unsupportedHere("only float A and scales are supported");
        if (context.hasInput(5) && context.inputType(5) != DataType::Float)
            return context.unsupportedHere("the bias must be float");
        K_ = node.attrInt("K", 0);
        N_ = node.attrInt("N", 0);
        block_ = node.attrInt("block_size", 0);
        blocks_ = (K_ + block_ - 1) / block_;
        M_ = elementCount(context.inputShape(0)).value_or(0) / K_;
        if (context.hasInput(3)) {
            packedZeros_ = context.inputType(3) == DataType::UInt8;
            if (!packedZeros_ && context.inputType(3) != DataType::Float)
                return context.unsupportedHere("zero_points must be uint8 or float");
        }
        columnDot_ = block_ % 32 == 0 ? pickBySimd<ColumnDot>(&columnDotAvx512, &columnDotBaseline, &columnDotBaseline)
                                      : &columnDotBaseline;
        // Few rows: each row of A split into even / odd halves per block,
        // zero-padded to whole blocks, plus each block's sum. Many rows:
        // B widened to N x K floats.
        paddedK_ = blocks_ * block_;
        workspace_ = M_ <= kFewRows ? static_cast<std::size_t>(M_ * (paddedK_ + blocks_)) * sizeof(float)
                                    : static_cast<std::size_t>(N_ * K_) * sizeof(float);
        return Status::ok();
    }

    std::size_t workspaceBytes() const override { return workspace_; }

    Status run(RunContext& context) override {
        if (M_ <= kFewRows)
            fewRows(context);
        else
            manyRows(context);
        return Status::ok();
    }

private:
    float zeroPoint(const RunContext& context, int64_t n, int64_t b) const {
        if (!context.hasInput(3)) return 8.f;
        if (!packedZeros_) return context.inputs[3].as<float>()[n * blocks_ + b];
        const uint8_t* z = context.inputs[3].as<uint8_t>();
        const uint8_t byte = z[n * ((blocks_ + 1) / 2) + b / 2];
        return static_cast<float>((b & 1) ? byte >> 4 : byte & 15);
    }

    void fewRows(RunContext& context) {
        const float* a = context.inputs[0].as<float>();
        const uint8_t* q = context.inputs[1].as<uint8_t>();
        const float* scales = context.inputs[2].as<float>();
        const float* bias = context.hasInput(5) ? context.inputs[5].as<float>() : nullptr;
        float* y = context.outputs[0].as<float>();
        auto* split = static_cast<float*>(context.workspace);
        const int64_t half = block_ / 2, blockBytes = block_ / 2;
        float* sums = split + M_ * paddedK_;
        for (int64_t m = 0; m < M_; ++m) {
            const float* row = a + m * K_;
            for (int64_t b = 0; b < blocks_; ++b) {
                float* even = split + m * paddedK_ + b * block_;
                float* odd = even + half;
                float s = 0.f;
                for (int64_t j = 0; j < half; ++j) {
                    const int64_t k = b * block_ + 2 * j;
                    even[j] = k < K_ ? row[k] : 0.f;
                    odd[j] = k + 1 < K_ ? row[k + 1] : 0.f;
                    s += even[j] + odd[j];
                }
                sums[m * blocks_ + b] = s;
            }
        }
        const int64_t M = M_, N = N_, blocks = blocks_, paddedK = paddedK_, block = block_;
        const ColumnDot dot = columnDot_;
        const bool zeros = context.hasInput(3);
#pragma omp parallel for schedule(static) if (N * K_ > kParallelWork)
        for (int64_t n = 0; n < N; ++n) {
            const uint8_t* column = q + n * blocks * blockBytes;
            const float* columnScales = scales + n * blocks;
            for (int64_t m = 0; m < M; ++m) {
                // (q - zero) . a = q . a - zero * sum(a), per block.
                float shift = 0.f;
                const float* rowSums = sums + m * blocks;
                if (zeros)
                    for (int64_t b = 0; b < blocks; ++b)
                        shift += columnScales[b] * zeroPoint(context, n, b) * rowSums[b];
                else {
                    for (int64_t b = 0; b < blocks; ++b) shift += columnScales[b] * rowSums[b];
                    shift *= 8.f;  // the default zero point
                }
                y[m * N + n] =
                    dot(column, split + m * paddedK, columnScales, blocks, block) - shift + (bias ? bias[n] : 0.f);
            }
        }
    }

    void manyRows(RunContext& context) {
        const uint8_t* q = context.inputs[1].as<uint8_t>();
        const float* scales = context.inputs[2].as<float>();
        auto* wide = static_cast<float*>(context.workspace);
        const int64_t N = N_, K = K_, blocks = blocks_, blockBytes = block_ / 2, block = block_;
#pragma omp parallel for schedule(static) if (N * K > kParallelWork)
        for (int64_t n = 0; n < N; ++n)
            for (int64_t b = 0; b < blocks; ++b) {
                const uint8_t* column = q + (n * blocks + b) * blockBytes;
                const float scale = scales[n * blocks + b];
                const float zero = zeroPoint(context, n, b);
                for (int64_t j = 0; j < block && b * block + j < K; ++j) {
                    const uint8_t byte = column[j / 2];
                    const float v = static_cast<float>((j & 1) ? byte >> 4 : byte & 15);
                    wide[n * K + b * block + j] = (v - zero) * scale;
                }
            }
        float* y = context.outputs[0].as<float>();
        sgemm(false, true, M_, N_, K_, 1.f, context.inputs[0].as<float>(), wide, 0.f, y);
        if (context.hasInput(5)) {
            const float* bias = context.inputs[5].as<float>();
            for (int64_t m = 0; m < M_; ++m)
                for (int64_t n = 0; n < N_; ++n) y[m * N_ + n] += bias[n];
        }
    }

    int64_t K_ = 0, N_ = 0, M_ = 0, block_ = 0, blocks_ = 0, paddedK_ = 0;
    bool packedZeros_ = false;
    std::size_t workspace_ = 0;
    ColumnDot columnDot_ = &columnDotBaseline;
};

}  // namespace

std::unique_ptr<Kernel> makeMatMulNBitsKernel() { return std::make_unique<MatMulNBitsKernel>(); }

}  // namespace interstage::cpu::contrib
