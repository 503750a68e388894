#include "cpu/ops/nn/narrow_product.h"

// GCC 12's AVX-512 headers warn about their own _mm512_undefined_*()
// (GCC bug 105593); the intrinsics are correct.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <algorithm>

#include "cpu/parallel.h"
#include "cpu/simd_dispatch.h"

namespace interstage::cpu::nn {

namespace {

constexpr int64_t kLanes = 16;   // floats in a zmm register
constexpr int kTileVectors = 4;  // a tile is 64 columns ...
constexpr int kRowBlock = 6;     // ... times six rows: 24 accumulators of 32 registers
constexpr int64_t kTileColumns = kLanes * kTileVectors;
constexpr int64_t kMaxPackedDepth = 256;  // a packed tile of 64 KiB at most, on the stack

#define IS_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"), always_inline)) inline

// Rows x Vectors outputs (Vectors of 16 columns; with Tail, the last one
// masked) at row o, column j: all accumulators stay in registers for the
// whole depth. Full vectors are never masked: masked stores are slow on
// AMD's AVX-512 (Zen 4 and 5), 1.5x on a whole tile here.
// The tile's inputs are read from in (depth rows, inStride apart).
template <int Rows, int Vectors, bool Tail>
IS_AVX512 void tileAvx512(const NarrowProduct& p, const float* in, int64_t inStride, int64_t o, int64_t j,
                          __mmask16 last) {
    __m512 acc[Rows][Vectors];
    for (int r = 0; r < Rows; ++r) {
        const __m512 start = p.bias ? _mm512_set1_ps(p.bias[o + r]) : _mm512_setzero_ps();
        for (int v = 0; v < Vectors; ++v) acc[r][v] = start;
    }
    const float* w = p.w + o * p.depth;
    const float* x = in;
    for (int64_t k = 0; k < p.depth; ++k, x += inStride) {
        __m512 column[Vectors];
        for (int v = 0; v < Vectors; ++v)
            column[v] = Tail && v + 1 == Vectors ? _mm512_maskz_loadu_ps(last, x + v * kLanes)
                                                 : _mm512_loadu_ps(x + v * kLanes);
        for (int r = 0; r < Rows; ++r) {
            const __m512 weight = _mm512_set1_ps(w[r * p.depth + k]);
            for (int v = 0; v < Vectors; ++v) acc[r][v] = _mm512_fmadd_ps(weight, column[v], acc[r][v]);
        }
    }
    const __m512 low = _mm512_set1_ps(p.low), high = _mm512_set1_ps(p.high);
    const __m512 afterLow = _mm512_set1_ps(p.afterLow), afterHigh = _mm512_set1_ps(p.afterHigh);
    for (int r = 0; r < Rows; ++r) {
        float* y = p.y + (o + r) * p.yStride + j;
        const float* residual =
            p.residual && o + r < p.residualRows ? p.residual + (o + r) * p.residualStride + j : nullptr;
        for (int v = 0; v < Vectors; ++v) {
            const bool masked = Tail && v + 1 == Vectors;
            __m512 value = _mm512_min_ps(_mm512_max_ps(acc[r][v], low), high);
            if (residual)
                value = _mm512_add_ps(value, masked ? _mm512_maskz_loadu_ps(last, residual + v * kLanes)
                                                    : _mm512_loadu_ps(residual + v * kLanes));
            value = _mm512_min_ps(_mm512_max_ps(value, afterLow), afterHigh);  // rows past the residual too
            if (masked)
                _mm512_mask_storeu_ps(y + v * kLanes, last, value);
            else
                _mm512_storeu_ps(y + v * kLanes, value);
        }
    }
}

// One column tile for rows [firstRow, firstRow + rowCount), six at a time.
template <int Vectors, bool Tail>
IS_AVX512 void columnTileAvx512(const NarrowProduct& p, const float* in, int64_t inStride, int64_t firstRow,
                                int64_t rowCount, int64_t j, __mmask16 last) {
    int64_t o = firstRow;
    const int64_t end = firstRow + rowCount;
    for (; o + kRowBlock <= end; o += kRowBlock) tileAvx512<kRowBlock, Vectors, Tail>(p, in, inStride, o, j, last);
    switch (end - o) {
        case 5:
            return tileAvx512<5, Vectors, Tail>(p, in, inStride, o, j, last);
        case 4:
            return tileAvx512<4, Vectors, Tail>(p, in, inStride, o, j, last);
        case 3:
            return tileAvx512<3, Vectors, Tail>(p, in, inStride, o, j, last);
        case 2:
            return tileAvx512<2, Vectors, Tail>(p, in, inStride, o, j, last);
        case 1:
            return tileAvx512<1, Vectors, Tail>(p, in, inStride, o, j, last);
        default:
            return;
    }
}

#undef IS_AVX512

__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))) void productAvx512(
    const NarrowProduct& p, int64_t firstRow, int64_t rowCount, int64_t firstColumn, int64_t columnCount) {
    int64_t j = firstColumn;
    const int64_t end = firstColumn + columnCount;
    // Input rows a power of two apart (NCHW planes of 128x128, 16x16) fall
    // into the same few L1 sets and evict each other between the row
    // blocks: a tile read by several row blocks is copied out first.
    alignas(64) float packed[kMaxPackedDepth * kTileColumns];
    const bool pack = rowCount > kRowBlock && p.depth <= kMaxPackedDepth;
    for (; j + kTileColumns <= end; j += kTileColumns) {
        if (!pack) {
            columnTileAvx512<kTileVectors, false>(p, p.x + j, p.xStride, firstRow, rowCount, j, 0xFFFF);
            continue;
        }
        for (int64_t k = 0; k < p.depth; ++k)
            for (int v = 0; v < kTileVectors; ++v)
                _mm512_store_ps(packed + k * kTileColumns + v * kLanes,
                                _mm512_loadu_ps(p.x + k * p.xStride + j + v * kLanes));
        columnTileAvx512<kTileVectors, false>(p, packed, kTileColumns, firstRow, rowCount, j, 0xFFFF);
    }
    const int64_t left = end - j;
    if (left <= 0) return;
    const int64_t vectors = (left + kLanes - 1) / kLanes;
    const int64_t inLast = left - (vectors - 1) * kLanes;  // 1..16
    const auto last = static_cast<__mmask16>((uint32_t(1) << inLast) - 1);
    switch (vectors) {
        case 1:
            return columnTileAvx512<1, true>(p, p.x + j, p.xStride, firstRow, rowCount, j, last);
        case 2:
            return columnTileAvx512<2, true>(p, p.x + j, p.xStride, firstRow, rowCount, j, last);
        case 3:
            return columnTileAvx512<3, true>(p, p.x + j, p.xStride, firstRow, rowCount, j, last);
        default:
            return columnTileAvx512<4, true>(p, p.x + j, p.xStride, firstRow, rowCount, j, last);
    }
}

// Elsewhere: one output row at a time, in chunks that stay in L1, each
// input row added in as a scaled vector (the compiler vectorizes the
// column loops).
constexpr int64_t kChunk = 256;

[[gnu::always_inline]] inline void productRowsBody(const NarrowProduct& p, int64_t firstRow, int64_t rowCount,
                                                   int64_t firstColumn, int64_t columnCount) {
    for (int64_t j0 = firstColumn; j0 < firstColumn + columnCount; j0 += kChunk) {
        const int64_t n = std::min(kChunk, firstColumn + columnCount - j0);
        for (int64_t o = firstRow; o < firstRow + rowCount; ++o) {
            float* __restrict y = p.y + o * p.yStride + j0;
            std::fill_n(y, n, p.bias ? p.bias[o] : 0.f);
            for (int64_t k = 0; k < p.depth; ++k) {
                const float weight = p.w[o * p.depth + k];
                const float* __restrict x = p.x + k * p.xStride + j0;
                for (int64_t i = 0; i < n; ++i) y[i] += weight * x[i];
            }
            const float* residual = p.residual && o < p.residualRows ? p.residual + o * p.residualStride + j0 : nullptr;
            for (int64_t i = 0; i < n; ++i) {
                float value = std::min(std::max(y[i], p.low), p.high);
                if (residual) value += residual[i];
                y[i] = std::min(std::max(value, p.afterLow), p.afterHigh);  // rows past the residual too
            }
        }
    }
}

using ProductFunction = void (*)(const NarrowProduct&, int64_t, int64_t, int64_t, int64_t);

__attribute__((target("avx2,fma"))) IS_FP_CONTRACT_FAST void productRowsAvx2(const NarrowProduct& p, int64_t firstRow,
                                                                             int64_t rowCount, int64_t firstColumn,
                                                                             int64_t columnCount) {
    productRowsBody(p, firstRow, rowCount, firstColumn, columnCount);
}

void productRowsBaseline(const NarrowProduct& p, int64_t firstRow, int64_t rowCount, int64_t firstColumn,
                         int64_t columnCount) {
    productRowsBody(p, firstRow, rowCount, firstColumn, columnCount);
}

ProductFunction productFunction() {
    static const ProductFunction function =
        pickBySimd<ProductFunction>(&productAvx512, &productRowsAvx2, &productRowsBaseline);
    return function;
}

}  // namespace

bool activationAsClamp(const Activation& activation, float& low, float& high) {
    low = -std::numeric_limits<float>::infinity();
    high = std::numeric_limits<float>::infinity();
    switch (activation.kind) {
        case Activation::Kind::None:
            return true;
        case Activation::Kind::Relu:
            low = 0.f;
            return true;
        case Activation::Kind::Clip:
            low = activation.alpha;
            high = activation.beta;
            return true;
        default:
            return false;
    }
}

bool narrowProductIsFast() { return simdLevel() == SimdLevel::Avx512; }

void runNarrowProduct(const NarrowProduct& p, int64_t firstRow, int64_t rowCount, int64_t firstColumn,
                      int64_t columnCount) {
    if (rowCount > 0 && columnCount > 0) productFunction()(p, firstRow, rowCount, firstColumn, columnCount);
}

void runNarrowProductParallel(const NarrowProduct& p) {
    // Tiles of columns; with few of them (8x8 and 16x16 maps) each tile is
    // also cut into groups of rows, so both threads get work.
    constexpr int64_t kRowGroup = 4 * kRowBlock;
    const int64_t tiles = (p.columns + kTileColumns - 1) / kTileColumns;
    const int64_t rowGroups = tiles >= 8 ? 1 : (p.rows + kRowGroup - 1) / kRowGroup;
    const int64_t groupRows = rowGroups == 1 ? p.rows : kRowGroup;
    const int64_t items = tiles * rowGroups;
    const int64_t work = p.rows * p.depth * p.columns;
    const ProductFunction function = productFunction();
#pragma omp parallel for schedule(static) if (work > kParallelWork)
    for (int64_t item = 0; item < items; ++item) {
        const int64_t tile = item / rowGroups, group = item % rowGroups;
        const int64_t firstRow = group * groupRows, firstColumn = tile * kTileColumns;
        function(p, firstRow, std::min(groupRows, p.rows - firstRow), firstColumn,
                 std::min(kTileColumns, p.columns - firstColumn));
    }
}

}  // namespace interstage::cpu::nn
