// Factories of the selection and detection kernels (TopK, NonZero, Unique,
// Compress, MaxUnpool, NonMaxSuppression, RoiAlign, GridSample); the op
// table (ops/op_table.cpp) maps op types to them. One op per file beside this.
#pragma once

#include <memory>

#include "cpu/kernel.h"

namespace interstage::cpu::selection {

std::unique_ptr<Kernel> makeTopKKernel();
std::unique_ptr<Kernel> makeNonZeroKernel();
std::unique_ptr<Kernel> makeUniqueKernel();
std::unique_ptr<Kernel> makeCompressKernel();
std::unique_ptr<Kernel> makeMaxUnpoolKernel();
std::unique_ptr<Kernel> makeNonMaxSuppressionKernel();
std::unique_ptr<Kernel> makeRoiAlignKernel();
std::unique_ptr<Kernel> makeGridSampleKernel();

}  // namespace interstage::cpu::selection
