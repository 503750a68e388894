// Tensor shapes: concrete (Shape) and as declared in a file (SymbolicShape).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "interstage/status.h"

namespace interstage {

using Shape = std::vector<int64_t>;

// A dimension as a file declares it: a number, a name ("batch"), or neither.
struct Dim {
    int64_t value = -1;  // >= 0 when the file gives a number
    std::string param;   // the symbolic name, when the file gives one
    bool isStatic() const { return value >= 0; }
};
using SymbolicShape = std::vector<Dim>;

// Largest element count any tensor may have: 2^40 elements. Beyond it a
// dimension is treated as absurd (a corrupt file, not a real model).
constexpr int64_t kMaxElements = int64_t(1) << 40;

// Product of the dims, or nullopt when a dim is negative or the product
// overflows kMaxElements.
std::optional<int64_t> elementCount(const Shape& shape);

// "1x3x640x640"; "scalar" for rank 0.
std::string shapeToString(const Shape& shape);
// "1x3xHxW" style, with '?' for unknown unnamed dims.
std::string shapeToString(const SymbolicShape& shape);

// Parses "1x3x640x640" (also accepts ',' as separator; "" and "scalar",
// as shapeToString() writes rank 0, are a scalar).
Result<Shape> parseShape(const std::string& text);

}  // namespace interstage
