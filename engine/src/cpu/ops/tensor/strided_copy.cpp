// gatherStrided: the loop behind Slice, Split, Transpose, Expand, Tile and
// DepthToSpace. Every one of them reads its input through a strided view
// and writes its output contiguously, so one well-tuned loop serves them
// all. Dims are first simplified (size-1 dims dropped, neighbours whose
// memory is contiguous merged) so that e.g. a 0,2,1,3 transpose becomes a
// batch of row memcpys and a 0,2,3,1 transpose becomes a 2-D transpose.
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

using Dim = StridedDim;

// Calls body(row, srcOffset) for rows [0, rows) of the outer dims, split
// across threads when `parallel`; each thread decomposes its first row
// once and then walks the others with a carry counter (no div/mod per row).
template <class Body>
void forEachRow(const std::vector<Dim>& outer, int64_t rows, bool parallel, Body body) {
#pragma omp parallel if (parallel)
    {
        int64_t threads = omp_get_num_threads();
        int64_t t = omp_get_thread_num();
        int64_t begin = rows * t / threads;
        int64_t end = rows * (t + 1) / threads;
        if (begin < end) {
            std::vector<int64_t> index(outer.size(), 0);
            int64_t offset = 0;
            int64_t rest = begin;
            for (size_t k = outer.size(); k-- > 0;) {
                index[k] = rest % outer[k].size;
                rest /= outer[k].size;
                offset += index[k] * outer[k].stride;
            }
            for (int64_t row = begin; row < end; ++row) {
                body(row, offset);
                for (size_t k = outer.size(); k-- > 0;) {
                    offset += outer[k].stride;
                    if (++index[k] < outer[k].size) break;
                    offset -= outer[k].stride * outer[k].size;
                    index[k] = 0;
                }
            }
        }
    }
}

template <class T>
void stridedRow(T* dst, const T* src, int64_t n, int64_t stride) {
    if (stride == 0) {
        std::fill(dst, dst + n, *src);
        return;
    }
    for (int64_t j = 0; j < n; ++j) dst[j] = src[j * stride];
}

// Element-wise rows: the innermost dim is not contiguous in the source.
template <class T>
void copyElements(T* dst, const T* src, const std::vector<Dim>& dims, bool parallel) {
    const Dim inner = dims.back();
    std::vector<Dim> outer(dims.begin(), dims.end() - 1);
    int64_t rows = 1;
    for (const Dim& d : outer) rows *= d.size;
    forEachRow(outer, rows, parallel, [&](int64_t row, int64_t offset) {
        stridedRow(dst + row * inner.size, src + offset, inner.size, inner.stride);
    });
}

// A batch of 2-D transposes: dim p is contiguous in the source, the last
// dim (contiguous in the destination) is not. Tiles of kTile x kTile keep
// both the source lines and the destination lines in L1.
template <class T>
void copyTransposed(T* dst, const T* src, const std::vector<Dim>& dims, size_t p, bool parallel) {
    constexpr int64_t kTile = 32;
    const int64_t n = dims.back().size;
    const int64_t s = dims.back().stride;
    const int64_t m = dims[p].size;
    // Destination strides of every dim (the destination is contiguous).
    std::vector<int64_t> dstStride(dims.size(), 1);
    for (size_t k = dims.size() - 1; k-- > 0;) dstStride[k] = dstStride[k + 1] * dims[k + 1].size;
    std::vector<size_t> others;
    for (size_t k = 0; k + 1 < dims.size(); ++k)
        if (k != p) others.push_back(k);
    int64_t outerCount = 1;
    for (size_t k : others) outerCount *= dims[k].size;
    const int64_t tilesM = (m + kTile - 1) / kTile;
    const int64_t items = outerCount * tilesM;
    const int64_t dstP = dstStride[p];

#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t item = 0; item < items; ++item) {
        int64_t rest = item / tilesM;
        int64_t i0 = (item % tilesM) * kTile;
        int64_t srcBase = 0, dstBase = 0;
        for (size_t q = others.size(); q-- > 0;) {
            size_t k = others[q];
            int64_t index = rest % dims[k].size;
            rest /= dims[k].size;
            srcBase += index * dims[k].stride;
            dstBase += index * dstStride[k];
        }
        int64_t i1 = std::min(m, i0 + kTile);
        for (int64_t j0 = 0; j0 < n; j0 += kTile) {
            int64_t j1 = std::min(n, j0 + kTile);
            for (int64_t i = i0; i < i1; ++i) {
                T* out = dst + dstBase + i * dstP;
                const T* in = src + srcBase + i;
                for (int64_t j = j0; j < j1; ++j) out[j] = in[j * s];
            }
        }
    }
}

template <class T>
void copyTyped(void* dst, const void* src, const std::vector<Dim>& dims, bool parallel) {
    auto* d = static_cast<T*>(dst);
    const auto* s = static_cast<const T*>(src);
    // A source-contiguous dim other than the last means a transpose.
    for (size_t p = 0; p + 1 < dims.size(); ++p)
        if (dims[p].stride == 1 && dims.back().size >= 4 && dims[p].size >= 4) {
            copyTransposed(d, s, dims, p, parallel);
            return;
        }
    copyElements(d, s, dims, parallel);
}

}  // namespace

std::vector<StridedDim> simplifyStrided(const Shape& shape, const Shape& strides) {
    std::vector<StridedDim> dims;
    for (size_t k = 0; k < shape.size(); ++k) {
        if (shape[k] == 1) continue;
        if (!dims.empty() && dims.back().stride == strides[k] * shape[k]) {
            dims.back() = {dims.back().size * shape[k], strides[k]};
            continue;
        }
        dims.push_back({shape[k], strides[k]});
    }
    return dims;
}

void gatherStrided(void* dst, const void* src, std::size_t elementSize, const Shape& shape, const Shape& srcStrides) {
    for (int64_t d : shape)
        if (d <= 0) return;
    const std::vector<Dim> dims = simplifyStrided(shape, srcStrides);
    const auto es = static_cast<int64_t>(elementSize);
    if (dims.empty()) {
        std::memcpy(dst, src, elementSize);
        return;
    }
    int64_t total = 1;
    for (const Dim& d : dims) total *= d.size;
    const bool parallel = total * es > kParallelBytes && omp_get_max_threads() > 1;

    if (dims.back().stride == 1) {
        // Contiguous rows: one memcpy each (one in all for a plain copy).
        const int64_t rowBytes = dims.back().size * es;
        if (dims.size() == 1) {
            parallelCopy(dst, src, static_cast<std::size_t>(rowBytes));
            return;
        }
        std::vector<Dim> outer(dims.begin(), dims.end() - 1);
        forEachRow(outer, total / dims.back().size, parallel, [&](int64_t row, int64_t offset) {
            std::memcpy(static_cast<char*>(dst) + row * rowBytes, static_cast<const char*>(src) + offset * es,
                        static_cast<std::size_t>(rowBytes));
        });
        return;
    }
    switch (elementSize) {
        case 1:
            copyTyped<uint8_t>(dst, src, dims, parallel);
            return;
        case 2:
            copyTyped<uint16_t>(dst, src, dims, parallel);
            return;
        case 4:
            copyTyped<uint32_t>(dst, src, dims, parallel);
            return;
        case 8:
            copyTyped<uint64_t>(dst, src, dims, parallel);
            return;
        default:
            break;
    }
    // Wider elements (complex128): one memcpy per element.
    const Dim inner = dims.back();
    std::vector<Dim> outer(dims.begin(), dims.end() - 1);
    forEachRow(outer, total / inner.size, parallel, [&](int64_t row, int64_t offset) {
        char* out = static_cast<char*>(dst) + row * inner.size * es;
        const char* in = static_cast<const char*>(src) + offset * es;
        for (int64_t j = 0; j < inner.size; ++j) std::memcpy(out + j * es, in + j * inner.stride * es, elementSize);
    });
}

}  // namespace interstage::cpu::tensor
