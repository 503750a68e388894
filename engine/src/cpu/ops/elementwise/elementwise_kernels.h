// Factories of the elementwise family, one per kernel class; a kernel that
// serves several ops picks its op from the node's opType in prepare().
#pragma once

#include <memory>

#include "cpu/kernel.h"

namespace interstage::cpu::ew {

std::unique_ptr<Kernel> makeUnaryKernel();      // unary_math.cpp: Relu, Sigmoid, Exp, HardSwish, ...
std::unique_ptr<Kernel> makeClipKernel();       // clip.cpp
std::unique_ptr<Kernel> makeUnaryTestKernel();  // unary_tests.cpp: Not, IsNaN, IsInf
std::unique_ptr<Kernel> makeDropoutKernel();    // dropout.cpp
std::unique_ptr<Kernel> makeBinaryKernel();     // binary_arith.cpp: Add, Sub, Mul, Div, Mod, PRelu, BitShift
std::unique_ptr<Kernel> makePowKernel();        // pow.cpp
std::unique_ptr<Kernel> makeVariadicKernel();   // variadic.cpp: Max, Min, Sum, Mean
std::unique_ptr<Kernel> makeCompareKernel();    // compare_logic.cpp: Equal, Less, ..., And, Or, Xor
std::unique_ptr<Kernel> makeWhereKernel();      // where.cpp
std::unique_ptr<Kernel> makeReduceKernel();     // reduce.cpp: ReduceSum, ReduceMean, ...
std::unique_ptr<Kernel> makeArgReduceKernel();  // arg_reduce.cpp: ArgMax, ArgMin
std::unique_ptr<Kernel> makeSoftmaxKernel();    // softmax.cpp: Softmax, LogSoftmax, Hardmax
std::unique_ptr<Kernel> makeCumSumKernel();     // cumsum.cpp

// LogSoftmax's loops for other kernels (SoftmaxCrossEntropyLoss): a float32
// or float64 tensor read as [outer, length, inner], along the middle axis.
void logSoftmaxAlongAxis(DataType dtype, int64_t outer, int64_t length, int64_t inner, const void* in, void* out);

}  // namespace interstage::cpu::ew
