// Factories of the compute-heavy nn kernels; the op table
// (ops/op_table.cpp) maps op types to them. Each kernel lives in its own file beside this one.
#pragma once

#include <memory>

#include "cpu/kernel.h"

namespace interstage::cpu::nn {

std::unique_ptr<Kernel> makeConvKernel();
std::unique_ptr<Kernel> makeConvTransposeKernel();
std::unique_ptr<Kernel> makeMaxPoolKernel();
std::unique_ptr<Kernel> makeAveragePoolKernel();
std::unique_ptr<Kernel> makeGlobalAveragePoolKernel();
std::unique_ptr<Kernel> makeGlobalMaxPoolKernel();
std::unique_ptr<Kernel> makeGemmKernel();
std::unique_ptr<Kernel> makeMatMulKernel();
std::unique_ptr<Kernel> makeBatchNormalizationKernel();
std::unique_ptr<Kernel> makeInstanceNormalizationKernel();
std::unique_ptr<Kernel> makeLayerNormalizationKernel();
std::unique_ptr<Kernel> makeLrnKernel();
std::unique_ptr<Kernel> makeMeanVarianceNormalizationKernel();
std::unique_ptr<Kernel> makeNegativeLogLikelihoodLossKernel();
std::unique_ptr<Kernel> makeSoftmaxCrossEntropyLossKernel();

}  // namespace interstage::cpu::nn
