// oneDNN's convolution primitive as the Conv paths choose it (conv_onednn.cpp),
// shared with the row-striped path (conv_row_stripes.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

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

// One stripe of output rows [firstOutputRow, + outputRows) of a 2-D conv:
// the input rows it reads, clipped to the image, and the padding rows its
// primitive adds above and below instead (only at the image's edges).
struct StripeRows {
    int64_t firstOutputRow = 0, outputRows = 0;
    int64_t firstInputRow = 0, inputRows = 0;
    int64_t padTop = 0, padBottom = 0;
    // The same primitive serves both (rows and pads; not the position).
    bool sameGeometry(const StripeRows& o) const {
        return inputRows == o.inputRows && outputRows == o.outputRows && padTop == o.padTop && padBottom == o.padBottom;
    }
};

// spec's output rows in stripes of about `rows` each (of nearly even
// heights rather than a short remainder).
std::vector<StripeRows> stripesOf(const ConvSpec& spec, int64_t rows);

// The constant weights and bias of one conv run as several primitives
// (its stripes or bands): packed once per distinct layout they want.
struct StripeWeights {
    std::vector<dnnl::memory> weights;
    dnnl::memory bias;
    std::size_t bytes = 0;  // packed, weights and bias

    // Index in `weights` of a copy in the layout `wanted`, packed now if
    // there is none yet.
    std::size_t packFor(const ConvSpec& spec, const dnnl::memory::desc& wanted);
    // The bias in the layout `wanted` (when spec has one).
    void packBias(const ConvSpec& spec, const dnnl::memory::desc& wanted);
};

}  // namespace interstage::cpu::nn
