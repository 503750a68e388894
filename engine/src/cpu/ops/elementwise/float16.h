// float16 as tensors store it: conversions to and from float, exact and
// rounding to nearest even. Elementwise kernels compute float16 in float.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/half_float.h"

namespace interstage::cpu::ew {

struct Half {
    uint16_t bits;
};
// bfloat16 the same way: stored as bits, computed in float.
struct BHalf {
    uint16_t bits;
};

using interstage::bfloatToFloat;
using interstage::floatToBfloat;
using interstage::floatToHalf;
using interstage::halfToFloat;

}  // namespace interstage::cpu::ew
