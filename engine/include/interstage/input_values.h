// Values a user types for a small input ("16000", "1,0,1"): a sample rate,
// a flag, a few indices. The session runs with them instead of the
// generated default input, which cannot pick an If branch or a valid
// index (the CLI's --value, the app's value field).
#pragma once

#include <optional>
#include <string>

#include "interstage/graph.h"
#include "interstage/shape.h"
#include "interstage/status.h"
#include "interstage/tensor.h"

namespace interstage {

// "V[,V...]" read as `dtype` into a tensor of `shape`: integers for
// integer types, decimals for float types, 0/1/true/false for bool. The
// count must be the shape's element count. Errors are one line naming
// the input.
Result<TensorData> parseInputValues(const std::string& name, DataType dtype, const Shape& shape,
                                    const std::string& text);

// As above for a graph input, in the shape `given` (the user's --input)
// or else the declared one; a dynamic scalar or 1-D input takes its
// shape from the count of values.
Result<TensorData> parseInputValues(const Value& input, const std::optional<Shape>& given, const std::string& text);

}  // namespace interstage
