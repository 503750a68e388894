// A float32 ONNX model rewritten in float16 or bfloat16, as ONNX Runtime's
// float16 converter does with keep_io_types off: every float initializer,
// Constant, graph input, output and value_info becomes the half type, and
// Cast-to-float nodes cast to it. Resize's roi and scales stay float (the
// operator requires it). The zoo's "-fp16" / "-bf16" variants come from here.
#pragma once

#include <string>

#include "interstage/dtype.h"
#include "interstage/status.h"

namespace interstage::zoo {

Result<std::string> convertToHalf(const std::string& serializedModel, DataType half);

}  // namespace interstage::zoo
