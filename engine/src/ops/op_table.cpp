// The op table (see op_table.h): one line per op, grouped by family.
// Columns: name, shape rule (model/shape_rules_*.cpp), CPU kernel
// (cpu/ops/<family>/), Vulkan kernel (vulkan/kernels/), traits.
#include "ops/op_table.h"

#include <algorithm>
#include <vector>

#include "cpu/ops/contrib/contrib_kernels.h"
#include "cpu/ops/control/control_kernels.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"
#include "cpu/ops/linalg/linalg_kernels.h"
#include "cpu/ops/nn/nn_kernels.h"
#include "cpu/ops/quant/quant_kernels.h"
#include "cpu/ops/random/random_kernels.h"
#include "cpu/ops/recurrent/recurrent_kernels.h"
#include "cpu/ops/select/select_kernels.h"
#include "cpu/ops/signal/signal_kernels.h"
#include "cpu/ops/tensor/tensor_kernels.h"
#include "vulkan/vulkan_kernel.h"

namespace interstage::ops {
namespace {

namespace rules = shapes::rules;
namespace vk = vulkan::kernels;
namespace ew = cpu::ew;
namespace nn = cpu::nn;
namespace linalg = cpu::linalg;
namespace recurrent = cpu::recurrent;
namespace control = cpu::control;
namespace signal = cpu::signal;
namespace rng = cpu::random;
namespace tensor = cpu::tensor;
namespace selection = cpu::selection;
namespace contrib = cpu::contrib;
namespace quant = cpu::quant;

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
        {"TopK", rules::topK, selection::makeTopKKernel, nullptr, 0},
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
        {"BatchNormalization", rules::batchNorm, nn::makeBatchNormalizationKernel, vk::batchNorm, kFusesActivation},
        {"Conv", rules::conv, nn::makeConvKernel, vk::conv, kFusesActivation},
        {"ConvTranspose", rules::convTranspose, nn::makeConvTransposeKernel, vk::convTranspose, kFusesActivation},
        {"Det", rules::det, linalg::makeDetKernel, nullptr, 0},
        {"Einsum", rules::einsum, linalg::makeEinsumKernel, nullptr, 0},
        {"Gemm", rules::gemm, nn::makeGemmKernel, vk::gemm, kFusesActivation},
        {"GlobalAveragePool", rules::globalPool, nn::makeGlobalAveragePoolKernel, vk::globalPool, 0},
        {"GlobalLpPool", rules::globalPool, nullptr, nullptr, 0},
        {"GRU", rules::recurrent, recurrent::makeGruKernel, nullptr, 0},
        {"GlobalMaxPool", rules::globalPool, nn::makeGlobalMaxPoolKernel, vk::globalPool, 0},
        {"GridSample", rules::gridSample, selection::makeGridSampleKernel, nullptr, 0},
        {"InstanceNormalization", rules::instanceNorm, nn::makeInstanceNormalizationKernel, nullptr, 0},
        {"LRN", rules::lrn, nn::makeLrnKernel, nullptr, 0},
        {"LSTM", rules::recurrent, recurrent::makeLstmKernel, nullptr, 0},
        {"LayerNormalization", rules::layerNorm, nn::makeLayerNormalizationKernel, nullptr, 0},
        {"LpNormalization", rules::lpNorm, nullptr, nullptr, 0},
        {"LpPool", rules::pool, nullptr, nullptr, 0},
        {"MatMul", rules::matMul, nn::makeMatMulKernel, vk::gemm, kFusesActivation},
        {"MaxPool", rules::pool, nn::makeMaxPoolKernel, vk::pool, 0},
        {"MaxUnpool", rules::maxUnpool, selection::makeMaxUnpoolKernel, nullptr, 0},
        {"MeanVarianceNormalization", rules::mvn, nn::makeMeanVarianceNormalizationKernel, nullptr, 0},
        {"NegativeLogLikelihoodLoss", rules::nllLoss, nn::makeNegativeLogLikelihoodLossKernel, nullptr, 0},
        {"NonMaxSuppression", rules::nonMaxSuppression, selection::makeNonMaxSuppressionKernel, nullptr, 0},
        {"RNN", rules::recurrent, recurrent::makeRnnKernel, nullptr, 0},
        {"RoiAlign", rules::roiAlign, selection::makeRoiAlignKernel, nullptr, 0},
        // Not an ONNX op: ONNX Runtime registers this RMS norm in the default
        // domain, and its optimizer and exporters write it there.
        {"SimplifiedLayerNormalization", rules::simplifiedLayerNorm, contrib::makeLayerNormKernel, nullptr, 0},
        {"SoftmaxCrossEntropyLoss", rules::softmaxCrossEntropyLoss, nn::makeSoftmaxCrossEntropyLossKernel, nullptr, 0},
    };
    // clang-format on
}

// Data movement, shape ops, generators.
std::vector<OpEntry> tensorOps() {
    // clang-format off
    return {
        {"Cast", rules::cast, tensor::makeCastKernel, nullptr, 0},
        {"CastLike", rules::castLike, tensor::makeCastKernel, nullptr, 0},
        {"Compress", rules::compress, selection::makeCompressKernel, nullptr, 0},
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
        {"NonZero", rules::nonZero, selection::makeNonZeroKernel, nullptr, 0},
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
        {"Unique", rules::unique, selection::makeUniqueKernel, nullptr, 0},
        {"Upsample", rules::upsample, tensor::makeResizeKernel, nullptr, 0},
    };
    // clang-format on
}

// Quantized (int8 / uint8) ops: quantize, dequantize, integer products.
std::vector<OpEntry> quantOps() {
    // clang-format off
    return {
        {"ConvInteger", rules::convInteger, quant::makeIntegerConvKernel, nullptr, 0},
        {"DequantizeLinear", rules::dequantizeLinear, quant::makeDequantizeLinearKernel, nullptr, 0},
        {"DynamicQuantizeLinear", rules::dynamicQuantizeLinear, quant::makeDynamicQuantizeLinearKernel, nullptr, 0},
        {"MatMulInteger", rules::matMulInteger, quant::makeIntegerMatMulKernel, nullptr, 0},
        {"QLinearConv", rules::qLinearConv, quant::makeIntegerConvKernel, nullptr, 0},
        {"QLinearMatMul", rules::qLinearMatMul, quant::makeIntegerMatMulKernel, nullptr, 0},
        {"QuantizeLinear", rules::quantizeLinear, quant::makeQuantizeLinearKernel, nullptr, 0},
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

// Fourier transforms, windows, spectrogram helpers, text features.
std::vector<OpEntry> signalOps() {
    // clang-format off
    return {
        {"BlackmanWindow", rules::window, signal::makeWindowKernel, nullptr, 0},
        {"DFT", rules::dft, signal::makeDftKernel, nullptr, 0},
        {"HammingWindow", rules::window, signal::makeWindowKernel, nullptr, 0},
        {"HannWindow", rules::window, signal::makeWindowKernel, nullptr, 0},
        {"MelWeightMatrix", rules::melWeightMatrix, signal::makeMelWeightMatrixKernel, nullptr, 0},
        {"STFT", rules::stft, signal::makeStftKernel, nullptr, 0},
        {"TfIdfVectorizer", rules::tfIdfVectorizer, signal::makeTfIdfVectorizerKernel, nullptr, 0},
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

// ONNX Runtime's contrib ops (domain com.microsoft), as transformer
// exporters and ORT's optimizer emit them. CPU only: on Vulkan they run
// as CPU fallbacks. ORT registers its LayerNormalization (before opset 17)
// and SimplifiedLayerNormalization in the default domain, so they are
// there, not here.
std::vector<OpEntry> microsoftOps() {
    // clang-format off
    return {
        {"Attention", rules::attention, contrib::makeAttentionKernel, nullptr, 0},
        {"BiasGelu", rules::biasGelu, contrib::makeGeluKernel, nullptr, 0},
        {"FastGelu", rules::biasGelu, contrib::makeGeluKernel, nullptr, 0},
        {"FusedMatMul", rules::fusedMatMul, contrib::makeFusedMatMulKernel, nullptr, 0},
        {"Gelu", rules::biasGelu, contrib::makeGeluKernel, nullptr, 0},
        {"GroupQueryAttention", rules::groupQueryAttention, contrib::makeGroupQueryAttentionKernel, nullptr, 0},
        {"MatMulNBits", rules::matMulNBits, contrib::makeMatMulNBitsKernel, nullptr, 0},
        {"MultiHeadAttention", rules::multiHeadAttention, contrib::makeMultiHeadAttentionKernel, nullptr, 0},
        {"QuickGelu", rules::biasGelu, contrib::makeGeluKernel, nullptr, 0},
        {"RotaryEmbedding", rules::rotaryEmbedding, contrib::makeRotaryEmbeddingKernel, nullptr, 0},
        {"SkipLayerNormalization", rules::skipLayerNorm, contrib::makeLayerNormKernel, nullptr, 0},
        {"SkipSimplifiedLayerNormalization", rules::skipLayerNorm, contrib::makeLayerNormKernel, nullptr, 0},
    };
    // clang-format on
}

// Random generators and samplers: seeded nodes repeat their output every
// run (cpu/ops/random/random_stream.h).
std::vector<OpEntry> randomOps() {
    // clang-format off
    return {
        {"Bernoulli", rules::bernoulli, rng::makeBernoulliKernel, nullptr, 0},
        {"Multinomial", rules::multinomial, rng::makeMultinomialKernel, nullptr, 0},
        {"RandomNormal", rules::randomFromAttribute, rng::makeRandomFillKernel, nullptr, 0},
        {"RandomNormalLike", rules::randomLike, rng::makeRandomFillKernel, nullptr, 0},
        {"RandomUniform", rules::randomFromAttribute, rng::makeRandomFillKernel, nullptr, 0},
        {"RandomUniformLike", rules::randomLike, rng::makeRandomFillKernel, nullptr, 0},
    };
    // clang-format on
}

bool byName(const OpEntry& a, const OpEntry& b) { return std::string_view(a.name) < std::string_view(b.name); }

std::vector<OpEntry> buildTable() {
    std::vector<OpEntry> table;
    for (auto family : {elementwiseOps, nnOps, tensorOps, quantOps, controlOps, sequenceOps, signalOps, randomOps}) {
        auto ops = family();
        table.insert(table.end(), ops.begin(), ops.end());
    }
    std::sort(table.begin(), table.end(), byName);
    return table;
}

const std::vector<OpEntry>& table() {
    static const std::vector<OpEntry> entries = buildTable();
    return entries;
}

const std::vector<OpEntry>& microsoftTable() {
    static const std::vector<OpEntry> entries = [] {
        auto ops = microsoftOps();
        std::sort(ops.begin(), ops.end(), byName);
        return ops;
    }();
    return entries;
}

const OpEntry* findIn(std::span<const OpEntry> t, std::string_view opType) {
    auto it = std::lower_bound(t.begin(), t.end(), opType,
                               [](const OpEntry& e, std::string_view name) { return std::string_view(e.name) < name; });
    return it != t.end() && it->name == opType ? &*it : nullptr;
}

}  // namespace

std::span<const OpEntry> allOps() { return table(); }

std::span<const OpEntry> domainOps(std::string_view domain) {
    if (domain == kMicrosoftDomain) return microsoftTable();
    return {};
}

const OpEntry* findOp(std::string_view opType) { return findIn(table(), opType); }

const OpEntry* findOp(std::string_view domain, std::string_view opType) {
    if (domain.empty() || domain == "ai.onnx") return findOp(opType);
    return findIn(domainOps(domain), opType);
}

const OpEntry* findOp(const Node& node) {
    return findOp(node.domain, node.opType);  // graph_convert spells the default domain ""
}

bool hasTrait(const Node& node, Trait trait) {
    const OpEntry* op = findOp(node);
    return op && (op->traits & trait) != 0;
}

}  // namespace interstage::ops
