// Einsum's equation ("bij,bjk->bik", "...ii->...i", "ij,ij"), parsed and
// bound to the operands' shapes. Shared by the shape rule (output shape,
// errors before any run) and the CPU kernel (the loops).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "interstage/shape.h"
#include "interstage/status.h"

namespace interstage::ops {

// Every subscript becomes a label id: the letters first, then one label per
// dim the ellipsis stands for (right-aligned across operands, as numpy
// broadcasts them).
struct EinsumEquation {
    std::vector<std::vector<int>> operandLabels;  // per operand, the label of each axis
    std::vector<int> outputLabels;                // the label of each output axis
    std::vector<int64_t> labelDims;               // the size of each label after broadcasting
    Shape outputShape() const;
};

// Parses the equation for operands of these shapes. Fails with a message
// naming the problem, the caller adds the node: InvalidModel when the
// equation itself is wrong (a bad character, the operand count, an output
// subscript in no operand), which no input shape can fix; ShapeError when
// the shapes do not fit it (a letter whose dims disagree).
Result<EinsumEquation> parseEinsum(const std::string& equation, const std::vector<Shape>& shapes);

}  // namespace interstage::ops
