// Factories of the linear-algebra kernels (Det, Einsum); the op table
// (ops/op_table.cpp) maps op types to them. Each kernel lives in its own file beside this one.
#pragma once

#include <memory>

#include "cpu/kernel.h"

namespace interstage::cpu::linalg {

std::unique_ptr<Kernel> makeDetKernel();
std::unique_ptr<Kernel> makeEinsumKernel();

}  // namespace interstage::cpu::linalg
