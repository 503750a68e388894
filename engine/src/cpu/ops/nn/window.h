// The sliding-window attributes shared by Conv, ConvTranspose and the pools
// (kernel_shape, strides, dilations, pads, auto_pad), read and checked once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cpu/kernel.h"

namespace interstage::cpu::nn {

struct Window {
    std::vector<int64_t> kernel, strides, dilations;
    std::vector<int64_t> padBegin, padEnd;  // per spatial axis
    std::string autoPad = "NOTSET";         // NOTSET | SAME_UPPER | SAME_LOWER | VALID

    size_t rank() const { return kernel.size(); }
    // (kernel - 1) * dilation + 1
    int64_t extent(size_t axis) const { return (kernel[axis] - 1) * dilations[axis] + 1; }
    bool samePadding() const { return autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER"; }
};

// Reads the attributes for `spatial` axes. kernelFromWeights: the weight's
// spatial dims (Conv, ConvTranspose), empty for pools (kernel_shape required).
Status readWindow(const PrepareContext& context, size_t spatial, const std::vector<int64_t>& kernelFromWeights,
                  Window& window);

// Forward windows (Conv, pools): turns auto_pad into explicit pads for the
// given input and resolved output spatial sizes.
void resolveForwardPads(Window& window, const Shape& inSpatial, const Shape& outSpatial);

// Splits a total padding between begin and end the way auto_pad asks:
// SAME_UPPER puts the odd one at the end, the others at the beginning.
// Floor division, so a negative total (an output larger than the window
// covers) grows the end.
void splitPadding(int64_t total, bool upper, int64_t& begin, int64_t& end);

}  // namespace interstage::cpu::nn
