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
// to floats a panel of kPanel columns at a time into the workspace and
// multiply each panel with sgemm (compute bound): the workspace holds one
// panel per thread (2 MiB each for K = 4096), not the whole widened
// weight. Threads take whole panels (widen, then a single-threaded sgemm),
// so a run has one parallel region, not a barrier per panel.
// GCC 12's AVX-512 headers warn about their own _mm512_undefined_*()
// (GCC bug 105593); the intrinsics are correct.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <omp.h>

#include <algorithm>
#include <cstring>

#include "cpu/ops/contrib/batched_gemm.h"
#include "cpu/ops/contrib/contrib_kernels.h"
#include "cpu/parallel.h"
#include "cpu/simd_dispatch.h"

namespace interstage::cpu::contrib {

namespace {

constexpr int64_t kFewRows = 4;
constexpr int64_t kPanel = 128;

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

// One block's 16-lane partial products: lo * even + hi * odd, chunk by
// chunk (half is a multiple of 16).
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"), always_inline)) inline __m512 blockProducts(
    const uint8_t* q, const float* split, int64_t half) {
    const __m512i low = _mm512_set1_epi32(15);
    __m512 sum = _mm512_setzero_ps();
    for (int64_t j = 0; j < half; j += 16) {
        const __m512i bytes = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + j)));
        const __m512 lo = _mm512_cvtepi32_ps(_mm512_and_si512(bytes, low));
        const __m512 hi = _mm512_cvtepi32_ps(_mm512_srli_epi32(bytes, 4));
        sum = _mm512_fmadd_ps(lo, _mm512_loadu_ps(split + j), sum);
        sum = _mm512_fmadd_ps(hi, _mm512_loadu_ps(split + half + j), sum);
    }
    return sum;
}

// The same with the scaled products kept in vectors across the column (one
// horizontal sum per column, not per block), four blocks at a time into
// four accumulators: one chain of dependent FMAs through the whole column
// made the loop latency bound (about 12 cycles a block).
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))) float columnDotAvx512(
    const uint8_t* q, const float* split, const float* scales, int64_t blocks, int64_t block) {
    const int64_t half = block / 2;
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps(), acc2 = _mm512_setzero_ps(),
           acc3 = _mm512_setzero_ps();
    int64_t b = 0;
    for (; b + 4 <= blocks; b += 4, q += 4 * half, split += 4 * block) {
        acc0 = _mm512_fmadd_ps(_mm512_set1_ps(scales[b]), blockProducts(q, split, half), acc0);
        acc1 = _mm512_fmadd_ps(_mm512_set1_ps(scales[b + 1]), blockProducts(q + half, split + block, half), acc1);
        acc2 =
            _mm512_fmadd_ps(_mm512_set1_ps(scales[b + 2]), blockProducts(q + 2 * half, split + 2 * block, half), acc2);
        acc3 =
            _mm512_fmadd_ps(_mm512_set1_ps(scales[b + 3]), blockProducts(q + 3 * half, split + 3 * block, half), acc3);
    }
    for (; b < blocks; ++b, q += half, split += block)
        acc0 = _mm512_fmadd_ps(_mm512_set1_ps(scales[b]), blockProducts(q, split, half), acc0);
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
}

// Widens one whole block: out[2j] = (lo(q[j]) - zero) * scale, out[2j + 1]
// likewise with the high nibble, for j < half.
using WidenBlock = void (*)(const uint8_t* q, float zero, float scale, float* out, int64_t half);

void widenBlockBaseline(const uint8_t* q, float zero, float scale, float* out, int64_t half) {
    for (int64_t j = 0; j < half; ++j) {
        out[2 * j] = (static_cast<float>(q[j] & 15) - zero) * scale;
        out[2 * j + 1] = (static_cast<float>(q[j] >> 4) - zero) * scale;
    }
}

// Sixteen bytes at a time, low and high nibbles interleaved back into
// element order by two permutes (half is a multiple of 16).
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))) void widenBlockAvx512(const uint8_t* q,
                                                                                             float zero, float scale,
                                                                                             float* out, int64_t half) {
    const __m512i low = _mm512_set1_epi32(15);
    const __m512 z = _mm512_set1_ps(zero), s = _mm512_set1_ps(scale);
    const __m512i first = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i second = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    for (int64_t j = 0; j < half; j += 16) {
        const __m512i bytes = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + j)));
        const __m512 lo = _mm512_mul_ps(_mm512_sub_ps(_mm512_cvtepi32_ps(_mm512_and_si512(bytes, low)), z), s);
        const __m512 hi = _mm512_mul_ps(_mm512_sub_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(bytes, 4)), z), s);
        _mm512_storeu_ps(out + 2 * j, _mm512_permutex2var_ps(lo, first, hi));
        _mm512_storeu_ps(out + 2 * j + 16, _mm512_permutex2var_ps(lo, second, hi));
    }
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
        widenBlock_ = block_ % 32 == 0
                          ? pickBySimd<WidenBlock>(&widenBlockAvx512, &widenBlockBaseline, &widenBlockBaseline)
                          : &widenBlockBaseline;
        columnDot_ = block_ % 32 == 0 ? pickBySimd<ColumnDot>(&columnDotAvx512, &columnDotBaseline, &columnDotBaseline)
                                      : &columnDotBaseline;
        // Few rows: each row of A split into even / odd halves per block,
        // zero-padded to whole blocks, plus each block's sum. Many rows:
        // B widened to N x K floats.
        paddedK_ = blocks_ * block_;
        threads_ = std::max(context.threads(), 1);
        workspace_ = M_ <= kFewRows ? static_cast<std::size_t>(M_ * (paddedK_ + blocks_)) * sizeof(float)
                                    : static_cast<std::size_t>(threads_ * std::min(N_, kPanel) * K_) * sizeof(float);
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
        // Chunks of 64 columns handed out as threads come free: on a busy
        // machine a thread that is descheduled holds up 64 columns, not half
        // of them.
#pragma omp parallel for schedule(dynamic, 64) if (N * K_ > kParallelWork)
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
        const float* a = context.inputs[0].as<float>();
        float* y = context.outputs[0].as<float>();
        auto* panels = static_cast<float*>(context.workspace);
        const int64_t K = K_, N = N_, M = M_, blocks = blocks_, blockBytes = block_ / 2, block = block_;
        const int64_t panelCount = (N + kPanel - 1) / kPanel;
        const WidenBlock widen = widenBlock_;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads_) if (panelCount > 1)
        for (int64_t index = 0; index < panelCount; ++index) {
            const int64_t first = index * kPanel, width = std::min(kPanel, N - first);
            float* panel = panels + static_cast<int64_t>(omp_get_thread_num()) * kPanel * K;
            for (int64_t c = 0; c < width; ++c) {
                const int64_t n = first + c;
                for (int64_t b = 0; b < blocks; ++b) {
                    const uint8_t* column = q + (n * blocks + b) * blockBytes;
                    const float scale = scales[n * blocks + b];
                    const float zero = zeroPoint(context, n, b);
                    float* out = panel + c * K + b * block;
                    if ((b + 1) * block <= K) {
                        widen(column, zero, scale, out, block / 2);
                        continue;
                    }
                    for (int64_t j = 0; b * block + j < K; ++j) {  // the last, partial block
                        const uint8_t byte = column[j / 2];
                        const float v = static_cast<float>((j & 1) ? byte >> 4 : byte & 15);
                        out[j] = (v - zero) * scale;
                    }
                }
            }
            // Y[:, first .. first + width) = A * panel^T, rows N apart
            // (single-threaded inside the team).
            sgemm(false, true, M, width, K, 1.f, a, K, panel, K, 0.f, y + first, N);
        }
        if (context.hasInput(5)) {
            const float* bias = context.inputs[5].as<float>();
            for (int64_t m = 0; m < M_; ++m)
                for (int64_t n = 0; n < N_; ++n) y[m * N_ + n] += bias[n];
        }
    }

    int64_t K_ = 0, N_ = 0, M_ = 0, block_ = 0, blocks_ = 0, paddedK_ = 0;
    bool packedZeros_ = false;
    int threads_ = 1;
    std::size_t workspace_ = 0;
    ColumnDot columnDot_ = &columnDotBaseline;
    WidenBlock widenBlock_ = &widenBlockBaseline;
};

}  // namespace

std::unique_ptr<Kernel> makeMatMulNBitsKernel() { return std::make_unique<MatMulNBitsKernel>(); }

}  // namespace interstage::cpu::contrib
