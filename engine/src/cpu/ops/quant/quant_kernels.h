// Factories of the quantized-op kernels (int8 / uint8); the op table
// (ops/op_table.cpp) maps op types to them. Each kernel lives in its own
// file beside this one.
#pragma once

#include <memory>

#include "cpu/kernel.h"

namespace interstage::cpu::quant {

std::unique_ptr<Kernel> makeQuantizeLinearKernel();
std::unique_ptr<Kernel> makeDequantizeLinearKernel();
std::unique_ptr<Kernel> makeDynamicQuantizeLinearKernel();
// MatMulInteger and QLinearMatMul.
std::unique_ptr<Kernel> makeIntegerMatMulKernel();
// ConvInteger and QLinearConv.
std::unique_ptr<Kernel> makeIntegerConvKernel();

}  // namespace interstage::cpu::quant
