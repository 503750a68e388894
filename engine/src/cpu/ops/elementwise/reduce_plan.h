// How the Reduce* ops read their node and lay out the work: the input's
// dims merged into alternating groups of kept and reduced dims. The CPU
// kernel (reduce.cpp) loops over the plan; the Vulkan kernel hands it to
// its shader, so both backends read axes and keepdims the same way.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/kernel.h"

namespace interstage::cpu::ew {

struct ReduceGroup {
    int64_t size;
    int64_t stride;  // input elements between neighbours
};

struct ReducePlan {
    bool copy = false;                 // noop_with_empty_axes with no axes: output = input
    bool innerReduced = true;          // whether the innermost group is reduced or kept
    int64_t inner = 1;                 // the innermost group's length (contiguous)
    std::vector<ReduceGroup> kept;     // kept groups, outermost first, without the inner one
    std::vector<ReduceGroup> reduced;  // reduced groups, outermost first, without the inner one
    int64_t outputCount = 1;
    int64_t reduceCount = 1;  // elements reduced into each output
};

// What the node asks for: axes from the attribute (before opset 13 for
// ReduceSum, 18 for the others) or from input 1. axesKnown is false when
// input 1 is only known at run time.
struct ReduceAxes {
    std::vector<int64_t> axes;
    bool noopWhenEmpty = false;
    bool axesKnown = true;
};
Status readReduceAxes(const PrepareContext& context, ReduceAxes& axes);

// False when an axis is out of range for the shape's rank.
bool makeReducePlan(const Shape& shape, const std::vector<int64_t>& axes, bool noopWhenEmpty, ReducePlan& plan);

}  // namespace interstage::cpu::ew
