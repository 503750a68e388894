// Slice and Transpose read their node into a strided view of the input (a
// start offset plus a stride per output axis). The CPU kernels walk the
// view with gatherStrided; the Vulkan kernels hand it to a shader. Both
// backends read a node through these functions, so they agree on every
// attribute corner (negative steps, clamping, default perm).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cpu/kernel.h"

namespace interstage::cpu::tensor {

// The output element at index i (row-major over shape) is the input
// element at offset + sum(i[k] * strides[k]); strides may be negative or 0.
struct StridedView {
    Shape shape;
    Shape strides;
    int64_t offset = 0;
};

struct SliceParams {
    std::vector<int64_t> starts, ends, axes, steps;
};

// Reads starts / ends / axes / steps from the attributes (opset < 10) or
// from inputs 1-4. known is false when an input is only known at run time
// (params are then left empty).
Status readSliceParams(const PrepareContext& context, SliceParams& params, bool& known);
// Reads parameter input i (starts, ends, axes, steps) of a run; an empty
// list when it is not an integer tensor.
void readSliceInput(const TensorView& view, std::vector<int64_t>& out);
// The slice of a tensor of shape `in`, or why the params are inconsistent
// (an empty string when they are fine).
std::string planSlice(const Shape& in, SliceParams params, StridedView& view);

// Transpose's perm (reversed axes when the attribute is absent), checked.
Status readTransposePerm(const PrepareContext& context, std::vector<int64_t>& perm);
// The view that walks input axis perm[k] for output axis k.
StridedView transposeView(const Shape& in, const std::vector<int64_t>& perm);

}  // namespace interstage::cpu::tensor
