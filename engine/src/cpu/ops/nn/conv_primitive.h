// oneDNN's convolution primitive as the Conv paths choose it (conv_onednn.cpp),
// shared with the row-striped path (conv_row_stripes.cpp).
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>

#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/dnnl_context.h"

namespace interstage::cpu::nn {

// Workspace bound for the striped paths: 16 MiB, or the environment's
// INTERSTAGE_CONV_STRIPE_BYTES (read once per process).
std::size_t stripeBound();

// ONNX's weight dims as oneDNN wants them ({G, O/G, I/G, k...} with groups).
DnnlDims weightDimsOf(const ConvSpec& spec);

// The primitive for spec's weights on activations x -> y with the given
// pads (the whole tensors, or one stripe of them). Winograd for 3x3 /
// stride 1 convs with 64+ outputs where its scratchpad stays within the
// bound given (the stripe bound unless said), else direct. weightsWanted:
// a weights layout to try first (so stripes share packed weights).
// storedLayouts: source and destination exactly as spec's channel blocks
// say, Winograd included (the row-striped path copies rows of that layout).
dnnl::convolution_forward::primitive_desc choosePrimitive(const ConvSpec& spec, const Shape& x, const Shape& y,
                                                          const DnnlDims& padBegin, const DnnlDims& padEnd,
                                                          const dnnl::memory::desc* weightsWanted = nullptr,
                                                          bool storedLayouts = false,
                                                          std::size_t maxScratchpad = stripeBound());

}  // namespace interstage::cpu::nn
