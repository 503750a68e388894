// Factories of the random-number kernels; the op table (ops/op_table.cpp)
// maps op types to them. Each kernel lives in its own file beside this one.
#pragma once

#include <memory>

#include "cpu/kernel.h"

namespace interstage::cpu::random {

// RandomUniform, RandomNormal, RandomUniformLike, RandomNormalLike
std::unique_ptr<Kernel> makeRandomFillKernel();
std::unique_ptr<Kernel> makeBernoulliKernel();
std::unique_ptr<Kernel> makeMultinomialKernel();

}  // namespace interstage::cpu::random
