// The elementwise kernel family: activations, unary math, broadcasting
// binary ops, comparisons and logic, Where, reductions, Softmax and CumSum.
// One line per op.
#include "cpu/kernel.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"

namespace interstage::cpu {

void registerElementwiseKernels(KernelTable& table) {
    using namespace ew;
    // unary math and activations (unary_math.cpp)
    table["Relu"] = &makeUnaryKernel;
    table["Sigmoid"] = &makeUnaryKernel;
    table["Tanh"] = &makeUnaryKernel;
    table["Erf"] = &makeUnaryKernel;
    table["Sqrt"] = &makeUnaryKernel;
    table["Exp"] = &makeUnaryKernel;
    table["Log"] = &makeUnaryKernel;
    table["Neg"] = &makeUnaryKernel;
    table["Abs"] = &makeUnaryKernel;
    table["Reciprocal"] = &makeUnaryKernel;
    table["Floor"] = &makeUnaryKernel;
    table["Ceil"] = &makeUnaryKernel;
    table["Round"] = &makeUnaryKernel;
    table["Sin"] = &makeUnaryKernel;
    table["Cos"] = &makeUnaryKernel;
    table["Tan"] = &makeUnaryKernel;
    table["Asin"] = &makeUnaryKernel;
    table["Acos"] = &makeUnaryKernel;
    table["Atan"] = &makeUnaryKernel;
    table["Sinh"] = &makeUnaryKernel;
    table["Cosh"] = &makeUnaryKernel;
    table["Asinh"] = &makeUnaryKernel;
    table["Acosh"] = &makeUnaryKernel;
    table["Atanh"] = &makeUnaryKernel;
    table["Softplus"] = &makeUnaryKernel;
    table["Softsign"] = &makeUnaryKernel;
    table["Sign"] = &makeUnaryKernel;
    table["HardSigmoid"] = &makeUnaryKernel;
    table["HardSwish"] = &makeUnaryKernel;
    table["LeakyRelu"] = &makeUnaryKernel;
    table["Elu"] = &makeUnaryKernel;
    table["Selu"] = &makeUnaryKernel;
    table["Celu"] = &makeUnaryKernel;
    table["ThresholdedRelu"] = &makeUnaryKernel;
    table["Shrink"] = &makeUnaryKernel;
    table["Gelu"] = &makeUnaryKernel;
    table["Mish"] = &makeUnaryKernel;
    // broadcasting arithmetic (binary_arith.cpp)
    table["Add"] = &makeBinaryKernel;
    table["Sub"] = &makeBinaryKernel;
    table["Mul"] = &makeBinaryKernel;
    table["Div"] = &makeBinaryKernel;
    table["Mod"] = &makeBinaryKernel;
    table["PRelu"] = &makeBinaryKernel;
    table["BitShift"] = &makeBinaryKernel;
    table["Pow"] = &makePowKernel;
    // variadic with broadcasting (variadic.cpp)
    table["Max"] = &makeVariadicKernel;
    table["Min"] = &makeVariadicKernel;
    table["Sum"] = &makeVariadicKernel;
    table["Mean"] = &makeVariadicKernel;
    // comparisons and logic, bool outputs (compare_logic.cpp)
    table["Equal"] = &makeCompareKernel;
    table["Less"] = &makeCompareKernel;
    table["Greater"] = &makeCompareKernel;
    table["LessOrEqual"] = &makeCompareKernel;
    table["GreaterOrEqual"] = &makeCompareKernel;
    table["And"] = &makeCompareKernel;
    table["Or"] = &makeCompareKernel;
    table["Xor"] = &makeCompareKernel;
    table["Where"] = &makeWhereKernel;
    // other unary ops
    table["Clip"] = &makeClipKernel;
    table["Not"] = &makeUnaryTestKernel;
    table["IsNaN"] = &makeUnaryTestKernel;
    table["IsInf"] = &makeUnaryTestKernel;
    table["Dropout"] = &makeDropoutKernel;
    // reductions (reduce.cpp, arg_reduce.cpp)
    table["ReduceSum"] = &makeReduceKernel;
    table["ReduceMean"] = &makeReduceKernel;
    table["ReduceMax"] = &makeReduceKernel;
    table["ReduceMin"] = &makeReduceKernel;
    table["ReduceProd"] = &makeReduceKernel;
    table["ReduceL1"] = &makeReduceKernel;
    table["ReduceL2"] = &makeReduceKernel;
    table["ReduceLogSum"] = &makeReduceKernel;
    table["ReduceLogSumExp"] = &makeReduceKernel;
    table["ReduceSumSquare"] = &makeReduceKernel;
    table["ArgMax"] = &makeArgReduceKernel;
    table["ArgMin"] = &makeArgReduceKernel;
    // along one axis (softmax.cpp, cumsum.cpp)
    table["Softmax"] = &makeSoftmaxKernel;
    table["LogSoftmax"] = &makeSoftmaxKernel;
    table["Hardmax"] = &makeSoftmaxKernel;
    table["CumSum"] = &makeCumSumKernel;
}

}  // namespace interstage::cpu
