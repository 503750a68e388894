// Numpy broadcasting as a loop plan. Dims of size 1 in the output are
// dropped and neighbouring dims that every input walks the same way are
// merged, so the common cases become one or two loops: same shapes -> one
// contiguous run; a scalar operand -> one run with a stride-0 operand;
// NCHW with a Cx1x1 operand -> [N, C, HW] whose innermost run is a tight
// "tensor op scalar" loop. The runs are then walked with an odometer over
// the outer dims: no division or modulo per element.
#pragma once

#include <omp.h>

#include <array>
#include <cstdint>
#include <vector>

#include "interstage/shape.h"

namespace interstage::cpu::ew {

constexpr int kMaxBroadcastInputs = 3;
constexpr int kMaxBroadcastRank = 16;

struct BroadcastPlan {
    int inputCount = 0;
    int rank = 0;  // of the merged dims, >= 1
    int64_t total = 0;
    std::array<int64_t, kMaxBroadcastRank> dims{};  // merged output dims, innermost last
    // Element strides of each input along each merged dim (0 = broadcast).
    std::array<std::array<int64_t, kMaxBroadcastRank>, kMaxBroadcastInputs> strides{};

    int64_t inner() const { return dims[rank - 1]; }
    // 1 when the input advances along the innermost run, 0 when it repeats one element.
    int64_t innerStride(int input) const { return strides[input][rank - 1]; }
};

// Numpy's broadcast of the shapes; false when they do not broadcast.
bool broadcastShapes(const std::vector<Shape>& shapes, Shape& out);

// Plans reading `inputs` (each broadcastable to `out`) into `out`. False
// when an input does not broadcast to out or the merged rank is too large.
bool makeBroadcastPlan(const Shape& out, const std::vector<Shape>& inputs, BroadcastPlan& plan);

// Calls fn(outOffset, inOffsets, n) for runs of n consecutive output
// elements; input k's elements for the run start at inOffsets[k] and step by
// plan.innerStride(k). Runs are spread over the OpenMP threads when the
// tensor is big enough; rows are split when there are too few of them.
template <class Fn>
void forEachRun(const BroadcastPlan& p, int64_t grain, Fn&& fn) {
    if (p.total <= 0) return;
    const int rank = p.rank;
    const int inputs = p.inputCount;
    const int64_t inner = p.inner();
    const int64_t rows = p.total / inner;
    const int maxThreads = omp_get_max_threads();
    const bool parallel = p.total >= grain && maxThreads > 1;

    int64_t parts = 1;
    if (parallel && rows < int64_t(maxThreads) * 4) {
        // Too few rows to feed every thread: cut each row into pieces of at
        // least 4096 elements.
        const int64_t wanted = (int64_t(maxThreads) * 4 + rows - 1) / rows;
        parts = std::max<int64_t>(1, std::min<int64_t>(wanted, inner / 4096));
    }
    const int64_t partLength = (inner + parts - 1) / parts;
    parts = (inner + partLength - 1) / partLength;
    const int64_t tasks = rows * parts;

    auto walk = [&](int64_t begin, int64_t end) {
        // Position of the first task: one div/mod chain per thread.
        std::array<int64_t, kMaxBroadcastRank> index{};
        std::array<int64_t, kMaxBroadcastInputs> base{};
        int64_t row = begin / parts;
        int64_t part = begin % parts;
        int64_t rest = row;
        for (int d = rank - 2; d >= 0; --d) {
            index[d] = rest % p.dims[d];
            rest /= p.dims[d];
            for (int k = 0; k < inputs; ++k) base[k] += index[d] * p.strides[k][d];
        }
        std::array<int64_t, kMaxBroadcastInputs> offsets{};
        for (int64_t task = begin; task < end; ++task) {
            const int64_t start = part * partLength;
            const int64_t n = std::min(partLength, inner - start);
            for (int k = 0; k < inputs; ++k) offsets[k] = base[k] + start * p.strides[k][rank - 1];
            fn(row * inner + start, offsets.data(), n);
            if (++part < parts) continue;
            part = 0;
            ++row;
            for (int d = rank - 2; d >= 0; --d) {
                for (int k = 0; k < inputs; ++k) base[k] += p.strides[k][d];
                if (++index[d] < p.dims[d]) break;
                for (int k = 0; k < inputs; ++k) base[k] -= p.dims[d] * p.strides[k][d];
                index[d] = 0;
            }
        }
    };

    if (!parallel || tasks == 1) {
        walk(0, tasks);
        return;
    }
#pragma omp parallel
    {
        const int64_t threads = omp_get_num_threads();
        const int64_t t = omp_get_thread_num();
        const int64_t begin = tasks * t / threads, end = tasks * (t + 1) / threads;
        if (begin < end) walk(begin, end);
    }
}

}  // namespace interstage::cpu::ew
