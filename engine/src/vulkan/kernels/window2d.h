// The window of a 2-D windowed op (Conv, MaxPool, AveragePool) on Vulkan,
// read by the CPU kernels' helpers so both backends read a node the same
// way.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/kernel.h"
#include "cpu/ops/nn/window.h"

namespace interstage::vulkan {

// Windowed ops take NCHW input; the window's pads resolved for the output.
inline Status readWindow2d(const cpu::PrepareContext& context, const std::vector<int64_t>& kernelFromWeights,
                           cpu::nn::Window& window) {
    const Shape& x = context.inputShape(0);
    const Shape& y = context.output(0).shape;
    if (x.size() != 4 || y.size() != 4) return context.unsupportedHere("the Vulkan kernel handles 2D (NCHW) only");
    IS_RETURN_IF_ERROR(cpu::nn::readWindow(context, 2, kernelFromWeights, window));
    cpu::nn::resolveForwardPads(window, {x[2], x[3]}, {y[2], y[3]});
    return Status::ok();
}

}  // namespace interstage::vulkan
