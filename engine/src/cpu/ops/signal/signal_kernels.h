// Factories of the signal-processing kernels; the op table
// (ops/op_table.cpp) maps op types to them. Each kernel lives in its own
// file beside this one.
#pragma once

#include <memory>

#include "cpu/kernel.h"

namespace interstage::cpu::signal {

std::unique_ptr<Kernel> makeDftKernel();
std::unique_ptr<Kernel> makeStftKernel();
std::unique_ptr<Kernel> makeWindowKernel();  // HannWindow, HammingWindow, BlackmanWindow
std::unique_ptr<Kernel> makeMelWeightMatrixKernel();
std::unique_ptr<Kernel> makeTfIdfVectorizerKernel();

}  // namespace interstage::cpu::signal
