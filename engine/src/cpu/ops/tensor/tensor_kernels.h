// Factories of the data-movement and shape kernels; the op table (ops/op_table.cpp)
// maps op types to them. Each kernel lives in its own file beside this one.
#pragma once

#include <memory>

#include "cpu/kernel.h"

namespace interstage::cpu::tensor {

std::unique_ptr<Kernel> makeCopyKernel();  // Reshape, Flatten, Squeeze, Unsqueeze, Identity
std::unique_ptr<Kernel> makeConcatKernel();
std::unique_ptr<Kernel> makeSplitKernel();
std::unique_ptr<Kernel> makeSliceKernel();
std::unique_ptr<Kernel> makeGatherKernel();
std::unique_ptr<Kernel> makeGatherElementsKernel();
std::unique_ptr<Kernel> makeGatherNdKernel();
std::unique_ptr<Kernel> makeScatterElementsKernel();  // Scatter and ScatterElements
std::unique_ptr<Kernel> makeScatterNdKernel();
std::unique_ptr<Kernel> makeReverseSequenceKernel();
std::unique_ptr<Kernel> makeTransposeKernel();
std::unique_ptr<Kernel> makePadKernel();
std::unique_ptr<Kernel> makeResizeKernel();  // Resize and Upsample
std::unique_ptr<Kernel> makeCastKernel();    // Cast and CastLike
std::unique_ptr<Kernel> makeShapeKernel();
std::unique_ptr<Kernel> makeSizeKernel();
std::unique_ptr<Kernel> makeConstantKernel();
std::unique_ptr<Kernel> makeConstantOfShapeKernel();
std::unique_ptr<Kernel> makeExpandKernel();
std::unique_ptr<Kernel> makeTileKernel();
std::unique_ptr<Kernel> makeRangeKernel();
std::unique_ptr<Kernel> makeEyeLikeKernel();
std::unique_ptr<Kernel> makeOneHotKernel();
std::unique_ptr<Kernel> makeDepthToSpaceKernel();
std::unique_ptr<Kernel> makeSpaceToDepthKernel();
std::unique_ptr<Kernel> makeTriluKernel();

}  // namespace interstage::cpu::tensor
