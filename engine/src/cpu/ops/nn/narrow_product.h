// Y = W X for a weight of few rows and a long, plain X: the product behind
// pointwise convolutions of few channels on NCHW tensors (BlazeFace's 24 to
// 88, MobileNetV2's 24), with the bias, the activation and a residual added
// as each output is written.
//
// oneDNN's matmul packs the whole X (channels x pixels) before multiplying
// it by a 24 x 24 weight, so it reads and writes the activation twice; here
// each tile of 64 pixels of every input channel is read from memory once and
// multiplied, from L1, by six weight rows at a time held in registers.
#pragma once

#include <cstdint>
#include <limits>

#include "cpu/activation.h"

namespace interstage::cpu::nn {

// y[o][j] = clamp(clamp(bias[o] + sum_k w[o][k] x[k][j], low, high)
//                 + residual[o][j], afterLow, afterHigh)
// for o < rows, j < columns; residual[o] is zero for o >= residualRows (a
// shortcut padded with zero channels reaches only the first ones).
struct NarrowProduct {
    const float* x = nullptr;  // depth rows of `columns` floats, xStride apart
    int64_t xStride = 0;
    const float* w = nullptr;     // rows x depth, row-major
    const float* bias = nullptr;  // rows, or null
    float* y = nullptr;           // rows rows of `columns` floats, yStride apart
    int64_t yStride = 0;
    const float* residual = nullptr;  // residualRows rows, residualStride apart, or null
    int64_t residualStride = 0, residualRows = 0;
    int64_t rows = 0, depth = 0, columns = 0;
    float low = -std::numeric_limits<float>::infinity(), high = std::numeric_limits<float>::infinity();
    float afterLow = -std::numeric_limits<float>::infinity(), afterHigh = std::numeric_limits<float>::infinity();
};

// A fused activation as the clamp the kernel applies (none: +-inf, Relu:
// [0, inf), Clip: [alpha, beta]); false when it is no clamp.
bool activationAsClamp(const Activation& activation, float& low, float& high);

// Whether this CPU has the register-blocked kernel (AVX-512); elsewhere
// runNarrowProduct computes the same values a row at a time.
bool narrowProductIsFast();

// Computes the product on the calling thread for rows [firstRow, firstRow +
// rowCount) and columns [firstColumn, firstColumn + columnCount).
void runNarrowProduct(const NarrowProduct& p, int64_t firstRow, int64_t rowCount, int64_t firstColumn,
                      int64_t columnCount);

// The whole product on the session's threads (tiles of columns, and of rows
// where there are few columns).
void runNarrowProductParallel(const NarrowProduct& p);

}  // namespace interstage::cpu::nn
