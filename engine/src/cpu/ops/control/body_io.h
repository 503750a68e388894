// What the control-flow kernels share: reading one-element inputs,
// checking that a body's output is what the plan expects, and copying
// body outputs into the node's buffers safely when a body passes one of
// its inputs straight through.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cpu/kernel.h"
#include "cpu/subgraph.h"

namespace interstage::cpu::control {

// Unsupported, saying why: the caller offers no SubgraphHost (both
// executors do, the Vulkan one for its CPU-fallback nodes; a kernel run
// on its own does not).
Status noSubgraphHost();

// Bodies hand over numeric tensors only: Unsupported when an output the
// node writes is a string tensor.
Status refuseStringOutputs(PrepareContext& context);

// The element of a one-element bool or integer tensor.
int64_t scalarOf(const TensorView& view);

// InvalidArgument unless `got` has the dtype and shape `planned` has: the
// plan was made for the shapes resolved before running.
Status checkPlanned(const TensorView& got, const TensorView& planned, const std::string& what);

// Copies body outputs into targets (same bytes each). A source may be one
// of the targets (a body that passes a carried value through, or swaps
// two): such sources are staged first so no copy reads a target already
// overwritten.
void copyOutputs(const std::vector<TensorView>& sources, const std::vector<TensorView>& targets);

// A tensor seen as outer x length x inner bytes along one axis: the slice
// at `position` of that axis, to or from a contiguous buffer.
struct AxisLayout {
    int64_t outer = 1;
    int64_t length = 1;
    std::size_t innerBytes = 0;
};
AxisLayout axisLayout(const TensorView& view, int64_t axis);
void readSlice(const TensorView& from, const AxisLayout& layout, int64_t position, void* to);
void writeSlice(const void* from, const AxisLayout& layout, int64_t position, const TensorView& to);

}  // namespace interstage::cpu::control
