// A 2-D, ungrouped integer conv on oneDNN's int8 convolution (VNNI here):
// uint8 / int8 input with its zero point as oneDNN's run-time source zero
// point (which also makes the padding count as 0), int8 weights (uint8
// ones shifted by 128), int32 result per pixel and channel (NHWC). oneDNN
// 2.6 has no weight zero points for convs: the caller subtracts
// w_zero_point * windowSum(x - x_zero_point) itself, from windowSums().
#pragma once

#include <cstddef>
#include <cstdint>
#include <oneapi/dnnl/dnnl.hpp>

#include "cpu/kernel.h"
#include "cpu/ops/nn/window.h"

namespace interstage::cpu::quant {

class Int8ConvOnednn {
public:
    // False when oneDNN has no int8 conv for this case (the caller then
    // keeps its own path). weights: [M, C, kh, kw] uint8 or int8.
    bool prepare(const Shape& x, const Shape& y, const nn::Window& window, bool xSigned, const void* weights,
                 bool wSigned);
    std::size_t workspaceBytes() const { return workspaceBytes_; }
    std::size_t packedBytes() const { return packedBytes_; }

    // product: [N, P, M] int32 (NHWC) in the workspace, after run().
    Status run(const void* x, int32_t xZero, void* workspace);
    const int32_t* product(void* workspace) const;
    // windowSums[n * P + p]: the sum of (x - x_zero_point) under output
    // pixel p's window, over all channels, padding counting 0.
    const int32_t* windowSums(const void* x, int32_t xZero, void* workspace) const;

private:
    dnnl::convolution_forward::primitive_desc pd_;
    dnnl::convolution_forward primitive_;
    dnnl::reorder toNhwc_;
    dnnl::memory weights_;
    dnnl::memory::desc plainSrc_, nhwcSrc_;
    int64_t n_ = 1, c_ = 0, h_ = 0, w_ = 0, m_ = 0, oh_ = 0, ow_ = 0;
    nn::Window window_;
    bool xSigned_ = false;
    std::size_t srcAt_ = 0, productAt_ = 0, channelSumsAt_ = 0, windowSumsAt_ = 0, scratchAt_ = 0;
    std::size_t workspaceBytes_ = 0, packedBytes_ = 0;
};

}  // namespace interstage::cpu::quant
