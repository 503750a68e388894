// Reading the float and zero-point operands of the quantized ops whatever
// their dtype: scales as float (float16 / bfloat16 widened), zero points
// as int32 (absent ones are 0).
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/kernel.h"

namespace interstage::cpu::quant {

// Element i of a float, float16 or bfloat16 tensor as float.
float floatAt(const TensorView& t, int64_t i);
// Element i of an int8, uint8 or int32 tensor; 0 when t is absent.
int32_t intAt(const TensorView& t, int64_t i);

// Every element, for the small parameter tensors (scales, zero points).
std::vector<float> floatsOf(const TensorView& t);
// Zero points; `count` zeros when the input is absent (data == nullptr).
std::vector<int32_t> intsOf(const TensorView& t, int64_t count);

}  // namespace interstage::cpu::quant
