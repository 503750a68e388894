// Factories of the recurrent kernels (LSTM, GRU, RNN); the op table
// (ops/op_table.cpp) maps op types to them. The frame they share is
// recurrent_kernel.h; each cell lives in its own file beside it.
#pragma once

#include <memory>

#include "cpu/kernel.h"

namespace interstage::cpu::recurrent {

std::unique_ptr<Kernel> makeLstmKernel();
std::unique_ptr<Kernel> makeGruKernel();
std::unique_ptr<Kernel> makeRnnKernel();

}  // namespace interstage::cpu::recurrent
