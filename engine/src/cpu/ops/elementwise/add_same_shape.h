// out = a + b (then Relu when asked) over operands of the output's shape:
// the residual Add (+ fused Relu) of ResNet-style blocks (BlazeFace, PP-LCNet)
// as one vector pass per thread, built for AVX-512 / AVX2 / baseline,
// instead of the broadcast walker's baseline loop and a second Relu pass.
#pragma once

#include <cstdint>

#include "cpu/activation.h"

namespace interstage::cpu::ew {

// Whether addSameShape computes this activation (none or Relu).
bool addSameShapeTakes(const Activation& activation);

// out may be a or b (an Add written over its dying input).
void addSameShape(const float* a, const float* b, float* out, int64_t n, const Activation& activation);

}  // namespace interstage::cpu::ew
