// The op table (see op_table.h): one line per op, grouped by family.
// Columns: name, shape rule (model/shape_rules_*.cpp), CPU kernel
// (cpu/ops/<family>/), Vulkan kernel (vulkan/kernels/), traits.
#include "ops/op_table.h"

#include <algorithm>
#include <vector>

#include "cpu/ops/control/control_kernels.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"
#include "cpu/ops/nn/nn_kernels.h"
#include "cpu/ops/recurrent/recurrent_kernels.h"
#include "cpu/ops/tensor/tensor_kernels.h"
#include "vulkan/vulkan_kernel.h"

namespace interstage::ops {
namespace {

namespace rules = shapes::rules;
namespace vk = vulkan::kernels;
namespace ew = cpu::ew;
namespace nn = cpu::nn;
namespace recurrent = cpu::recurrent;
namespace control = cpu::control;
namespace tensor = cpu::tensor;

// Activations, unary math, broadcasting binary ops, comparisons, reductions, Softmax.
std::vector<OpEntry> elementwiseOps() {
    // clang-format off
    return {
        {"Abs", rules::unaryAbs, ew::makeUnaryKernel, vk::unary, kOverwrite},
        {"Acos", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"Acosh", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"Add", rules::broadcastAdd, ew::makeBinaryKernel, vk::binary, kOverwrite | kBlockedBinary | kFusesActivation},
        {"And", rules::broadcastAnd, ew::makeCompareKernel, nullptr, 0},
        {"ArgMax", rules::arg, ew::makeArgReduceKernel, nullptr, 0},
        {"ArgMin", rules::arg, ew::makeArgReduceKernel, nullptr, 0},
        {"Asin", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"Asinh", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"Atan", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"Atanh", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"BitShift", rules::broadcastBitShift, ew::makeBinaryKernel, nullptr, 0},
        {"BitwiseNot", rules::unaryNone, nullptr, nullptr, 0},
        {"Ceil", rules::unaryCeil, ew::makeUnaryKernel, vk::unary, 0},
        {"Celu", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"Clip", rules::clip, ew::makeClipKernel, vk::unary, kBlockedUnary | kActivation},
        {"Cos", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"Cosh", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"CumSum", rules::cumSum, ew::makeCumSumKernel, nullptr, 0},
        {"Div", rules::broadcastDiv, ew::makeBinaryKernel, vk::binary, kOverwrite | kBlockedBinary},
        {"Dropout", rules::dropout, ew::makeDropoutKernel, vk::copy, 0},
        {"Elu", rules::unaryNone, ew::makeUnaryKernel, nullptr, kOverwrite},
        {"Equal", rules::broadcastEqual, ew::makeCompareKernel, nullptr, 0},
        {"Erf", rules::unaryNone, ew::makeUnaryKernel, nullptr, kOverwrite},
        {"Exp", rules::unaryNone, ew::makeUnaryKernel, vk::unary, kOverwrite},
        {"Floor", rules::unaryFloor, ew::makeUnaryKernel, vk::unary, 0},
        {"Gelu", nullptr, ew::makeUnaryKernel, nullptr, kOverwrite},
        {"Greater", rules::broadcastGreater, ew::makeCompareKernel, nullptr, 0},
        {"GreaterOrEqual", rules::broadcastGreaterOrEqual, ew::makeCompareKernel, nullptr, 0},
        {"HardSigmoid", rules::unaryNone, ew::makeUnaryKernel, vk::unary, kOverwrite | kBlockedUnary | kActivation},
        {"HardSwish", rules::unaryNone, ew::makeUnaryKernel, vk::unary, kOverwrite | kBlockedUnary | kActivation},
        {"Hardmax", rules::softmax, ew::makeSoftmaxKernel, nullptr, 0},
        {"IsInf", rules::boolUnary, ew::makeUnaryTestKernel, nullptr, 0},
        {"IsNaN", rules::boolUnary, ew::makeUnaryTestKernel, nullptr, 0},
        {"LeakyRelu", rules::unaryNone, ew::makeUnaryKernel, vk::unary, kOverwrite | kBlockedUnary | kActivation},
        {"Less", rules::broadcastLess, ew::makeCompareKernel, nullptr, 0},
        {"LessOrEqual", rules::broadcastLessOrEqual, ew::makeCompareKernel, nullptr, 0},
        {"Log", rules::unaryNone, ew::makeUnaryKernel, vk::unary, 0},
        {"LogSoftmax", rules::softmax, ew::makeSoftmaxKernel, vk::softmax, 0},
        {"Max", rules::broadcastMax, ew::makeVariadicKernel, nullptr, 0},
        {"Mean", rules::broadcastMean, ew::makeVariadicKernel, nullptr, 0},
        {"Min", rules::broadcastMin, ew::makeVariadicKernel, nullptr, 0},
        {"Mish", rules::unaryNone, ew::makeUnaryKernel, nullptr, kOverwrite},
        {"Mod", rules::broadcastMod, ew::makeBinaryKernel, nullptr, 0},
        {"Mul", rules::broadcastMul, ew::makeBinaryKernel, vk::binary, kOverwrite | kBlockedBinary},
        {"Neg", rules::unaryNeg, ew::makeUnaryKernel, vk::unary, kOverwrite},
        {"Not", rules::unaryNot, ew::makeUnaryTestKernel, nullptr, 0},
        {"Or", rules::broadcastOr, ew::makeCompareKernel, nullptr, 0},
        {"PRelu", rules::broadcastPRelu, ew::makeBinaryKernel, nullptr, 0},
        {"Pow", rules::broadcastPow, ew::makePowKernel, vk::binary, 0},
        {"Reciprocal", rules::unaryReciprocal, ew::makeUnaryKernel, vk::unary, 0},
        {"ReduceL1", rules::reduceL1, ew::makeReduceKernel, vk::reduce, 0},
        {"ReduceL2", rules::reduceL2, ew::makeReduceKernel, vk::reduce, 0},
        {"ReduceLogSum", rules::reduceLogSum, ew::makeReduceKernel, vk::reduce, 0},
        {"ReduceLogSumExp", rules::reduceLogSumExp, ew::makeReduceKernel, vk::reduce, 0},
        {"ReduceMax", rules::reduceMax, ew::makeReduceKernel, vk::reduce, 0},
        {"ReduceMean", rules::reduceMean, ew::makeReduceKernel, vk::reduce, 0},
        {"ReduceMin", rules::reduceMin, ew::makeReduceKernel, vk::reduce, 0},
        {"ReduceProd", rules::reduceProd, ew::makeReduceKernel, vk::reduce, 0},
        {"ReduceSum", rules::reduceSum, ew::makeReduceKernel, vk::reduce, 0},
        {"ReduceSumSquare", rules::reduceSumSquare, ew::makeReduceKernel, vk::reduce, 0},
        {"Relu", rules::unaryRelu, ew::makeUnaryKernel, vk::unary, kOverwrite | kBlockedUnary | kActivation},
        {"Round", rules::unaryRound, ew::makeUnaryKernel, nullptr, 0},
        {"Selu", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"Shrink", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"Sigmoid", rules::unaryNone, ew::makeUnaryKernel, vk::unary, kOverwrite | kBlockedUnary | kActivation},
        {"Sign", rules::unarySign, ew::makeUnaryKernel, nullptr, 0},
        {"Sin", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"Sinh", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"Softmax", rules::softmax, ew::makeSoftmaxKernel, vk::softmax, 0},
        {"Softplus", rules::unaryNone, ew::makeUnaryKernel, nullptr, kOverwrite},
        {"Softsign", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"Sqrt", rules::unarySqrt, ew::makeUnaryKernel, vk::unary, kOverwrite},
        {"Sub", rules::broadcastSub, ew::makeBinaryKernel, vk::binary, kOverwrite | kBlockedBinary},
        {"Sum", rules::broadcastSum, ew::makeVariadicKernel, nullptr, 0},
        {"Tan", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"Tanh", rules::unaryNone, ew::makeUnaryKernel, vk::unary, kOverwrite | kBlockedUnary},
        {"ThresholdedRelu", rules::unaryNone, ew::makeUnaryKernel, nullptr, 0},
        {"TopK", rules::topK, nullptr, nullptr, 0},
        {"Where", rules::where, ew::makeWhereKernel, nullptr, 0},
        {"Xor", rules::broadcastXor, ew::makeCompareKernel, nullptr, 0},
    };
    // clang-format on
}

// Convolutions, pools, Gemm / MatMul, normalizations, recurrent layers.
std::vector<OpEntry> nnOps() {
    // clang-format off
    return {
        {"AveragePool", rules::pool, nn::makeAveragePoolKernel, vk::pool, 0},
        {"BatchNormalization", rules::batchNorm, nn::makeBatchNormalizationKernel, vk::batchNorm, 0},
        {"Conv", rules::conv, nn::makeConvKernel, vk::conv, kFusesActivation},
        {"ConvTranspose", rules::convTranspose, nn::makeConvTransposeKernel, vk::convTranspose, kFusesActivation},
        {"Gemm", rules::gemm, nn::makeGemmKernel, vk::gemm, kFusesActivation},
        {"GlobalAveragePool", rules::globalPool, nn::makeGlobalAveragePoolKernel, vk::globalPool, 0},
        {"GlobalLpPool", rules::globalPool, nullptr, nullptr, 0},
        {"GRU", rules::recurrent, recurrent::makeGruKernel, nullptr, 0},
        {"GlobalMaxPool", rules::globalPool, nn::makeGlobalMaxPoolKernel, vk::globalPool, 0},
        {"InstanceNormalization", rules::instanceNorm, nn::makeInstanceNormalizationKernel, nullptr, 0},
        {"LRN", rules::lrn, nn::makeLrnKernel, nullptr, 0},
        {"LSTM", rules::recurrent, recurrent::makeLstmKernel, nullptr, 0},
        {"LayerNormalization", rules::layerNorm, nn::makeLayerNormalizationKernel, nullptr, 0},
        {"LpNormalization", rules::lpNorm, nullptr, nullptr, 0},
        {"LpPool", rules::pool, nullptr, nullptr, 0},
        {"MatMul", rules::matMul, nn::makeMatMulKernel, vk::gemm, kFusesActivation},
        {"MaxPool", rules::pool, nn::makeMaxPoolKernel, vk::pool, 0},
        {"MeanVarianceNormalization", rules::mvn, nullptr, nullptr, 0},
        {"RNN", rules::recurrent, recurrent::makeRnnKernel, nullptr, 0},
    };
    // clang-format on
}

// Data movement, shape ops, generators.
std::vector<OpEntry> tensorOps() {
    // clang-format off
    return {
        {"Cast", rules::cast, tensor::makeCastKernel, nullptr, 0},
        {"CastLike", rules::castLike, tensor::makeCastKernel, nullptr, 0},
        {"Concat", rules::concat, tensor::makeConcatKernel, vk::concat, 0},
        {"Constant", rules::constant, tensor::makeConstantKernel, nullptr, 0},
        {"ConstantOfShape", rules::constantOfShape, tensor::makeConstantOfShapeKernel, nullptr, 0},
        {"DepthToSpace", rules::depthToSpace, tensor::makeDepthToSpaceKernel, nullptr, 0},
        {"Expand", rules::expand, tensor::makeExpandKernel, nullptr, 0},
        {"EyeLike", rules::eyeLike, tensor::makeEyeLikeKernel, nullptr, 0},
        {"Flatten", rules::flatten, tensor::makeCopyKernel, vk::copy, 0},
        {"Gather", rules::gather, tensor::makeGatherKernel, nullptr, 0},
        {"GatherElements", rules::gatherElements, tensor::makeGatherElementsKernel, nullptr, 0},
        {"GatherND", rules::gatherNd, tensor::makeGatherNdKernel, nullptr, 0},
        {"Identity", rules::identity, tensor::makeCopyKernel, vk::copy, 0},
        {"NonZero", rules::nonZero, nullptr, nullptr, 0},
        {"OneHot", rules::oneHot, tensor::makeOneHotKernel, nullptr, 0},
        {"Pad", rules::pad, tensor::makePadKernel, nullptr, 0},
        {"Range", rules::range, tensor::makeRangeKernel, nullptr, 0},
        {"Reshape", rules::reshape, tensor::makeCopyKernel, vk::copy, 0},
        {"Resize", rules::resize, tensor::makeResizeKernel, vk::resize, 0},
        {"ReverseSequence", nullptr, tensor::makeReverseSequenceKernel, nullptr, 0},
        {"Scatter", rules::scatter, tensor::makeScatterElementsKernel, nullptr, 0},
        {"ScatterElements", rules::scatter, tensor::makeScatterElementsKernel, nullptr, 0},
        {"ScatterND", rules::scatter, tensor::makeScatterNdKernel, nullptr, 0},
        {"Shape", rules::shape, tensor::makeShapeKernel, nullptr, 0},
        {"Size", rules::size, tensor::makeSizeKernel, nullptr, 0},
        {"Slice", rules::slice, tensor::makeSliceKernel, vk::slice, 0},
        {"SpaceToDepth", rules::spaceToDepth, tensor::makeSpaceToDepthKernel, nullptr, 0},
        {"Split", rules::split, tensor::makeSplitKernel, nullptr, 0},
        {"Squeeze", rules::squeeze, tensor::makeCopyKernel, vk::copy, 0},
        {"Tile", rules::tile, tensor::makeTileKernel, nullptr, 0},
        {"Transpose", rules::transpose, tensor::makeTransposeKernel, vk::transpose, 0},
        {"Trilu", rules::trilu, tensor::makeTriluKernel, nullptr, 0},
        {"Unsqueeze", rules::unsqueeze, tensor::makeCopyKernel, vk::copy, 0},
        {"Upsample", rules::upsample, tensor::makeResizeKernel, nullptr, 0},
    };
    // clang-format on
}

// Control flow: bodies run through the executor's SubgraphHost; no shaders
// (on Vulkan these nodes are CPU fallbacks).
std::vector<OpEntry> controlOps() {
    // clang-format off
    return {
        {"If", rules::ifRule, control::makeIfKernel, nullptr, 0},
        {"Loop", rules::loop, control::makeLoopKernel, nullptr, 0},
        {"Scan", rules::scan, control::makeScanKernel, nullptr, 0},
    };
    // clang-format on
}

// Sequences and optionals: no kernel on any backend, because no node of
// theirs runs. passes/lower_sequences.h resolves them into the tensors
// they hold (and Split, Concat, Reshape nodes) before shapes resolve.
std::vector<OpEntry> sequenceOps() {
    // clang-format off
    return {
        {"ConcatFromSequence", nullptr, nullptr, nullptr, kResolvedBeforePlanning},
        {"Optional", nullptr, nullptr, nullptr, kResolvedBeforePlanning},
        {"OptionalGetElement", nullptr, nullptr, nullptr, kResolvedBeforePlanning},
        {"OptionalHasElement", nullptr, nullptr, nullptr, kResolvedBeforePlanning},
        {"SequenceAt", nullptr, nullptr, nullptr, kResolvedBeforePlanning},
        {"SequenceConstruct", nullptr, nullptr, nullptr, kResolvedBeforePlanning},
        {"SequenceEmpty", nullptr, nullptr, nullptr, kResolvedBeforePlanning},
        {"SequenceErase", nullptr, nullptr, nullptr, kResolvedBeforePlanning},
        {"SequenceInsert", nullptr, nullptr, nullptr, kResolvedBeforePlanning},
        {"SequenceLength", nullptr, nullptr, nullptr, kResolvedBeforePlanning},
        {"SequenceMap", nullptr, nullptr, nullptr, kResolvedBeforePlanning},
        {"SplitToSequence", nullptr, nullptr, nullptr, kResolvedBeforePlanning},
    };
    // clang-format on
}

std::vector<OpEntry> buildTable() {
    std::vector<OpEntry> table;
    for (auto family : {elementwiseOps, nnOps, tensorOps, controlOps, sequenceOps}) {
        auto ops = family();
        table.insert(table.end(), ops.begin(), ops.end());
    }
    std::sort(table.begin(), table.end(),
              [](const OpEntry& a, const OpEntry& b) { return std::string_view(a.name) < std::string_view(b.name); });
    return table;
}

const std::vector<OpEntry>& table() {
    static const std::vector<OpEntry> entries = buildTable();
    return entries;
}

}  // namespace

std::span<const OpEntry> allOps() { return table(); }

const OpEntry* findOp(std::string_view opType) {
    const auto& t = table();
    auto it = std::lower_bound(t.begin(), t.end(), opType,
                               [](const OpEntry& e, std::string_view name) { return std::string_view(e.name) < name; });
    return it != t.end() && it->name == opType ? &*it : nullptr;
}

const OpEntry* findOp(const Node& node) {
    if (!node.domain.empty()) return nullptr;  // graph_convert spells the default domain ""
    return findOp(node.opType);
}

bool hasTrait(const Node& node, Trait trait) {
    const OpEntry* op = findOp(node);
    return op && (op->traits & trait) != 0;
}

}  // namespace interstage::ops
