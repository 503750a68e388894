// Per-op shape rules used by resolveShapes(). A rule reads its node's input
// shapes (and input values when known) and sets every output's dtype and
// shape. Rules for shape-computing ops also fold their outputs to constants
// when every input value is known, so chains such as
// Shape -> Gather -> Concat -> Resize resolve before any run.
#pragma once

#include <string>
#include <vector>

#include "interstage/graph.h"
#include "interstage/model.h"
#include "interstage/status.h"

namespace interstage::shapes {

class ShapeContext {
public:
    ShapeContext(Graph& graph, const Node& node, const ShapeOptions& options, std::vector<std::string>* notes = nullptr)
        : graph_(graph), node_(node), options_(options), notes_(notes) {}

    const Node& node() const { return node_; }
    // The graph the node is in: control-flow rules bind their bodies'
    // outer-scope values from it.
    const Graph& graph() const { return graph_; }
    int64_t opset() const { return graph_.opset(); }
    const ShapeOptions& options() const { return options_; }

    size_t inputCount() const { return node_.inputs.size(); }
    bool hasInput(size_t i) const { return node_.input(i) != kNoValue; }
    const Value& input(size_t i) const { return graph_.value(node_.input(i)); }
    const Shape& inputShape(size_t i) const { return input(i).shape; }
    int64_t inputRank(size_t i) const { return static_cast<int64_t>(inputShape(i).size()); }
    DataType inputType(size_t i) const { return input(i).dtype; }
    // The input's value when known before running (weights, folded shape
    // tensors); nullptr otherwise or when the input is omitted.
    const TensorData* inputValue(size_t i) const;
    bool allInputValuesKnown() const;

    size_t outputCount() const { return node_.outputs.size(); }
    bool hasOutput(size_t i) const { return node_.output(i) != kNoValue; }
    // Sets output i (ignored when the output is omitted).
    void setOutput(size_t i, DataType dtype, Shape shape);
    // Sets output i to a value known before running (dtype/shape from it).
    // Only kept when it has at most options().maxFoldElements elements.
    void setOutputValue(size_t i, TensorData value);

    // shapeError("node 'name' (Op): why").
    Status fail(const std::string& why) const;
    // Something the user should know though the shapes resolved
    // (ShapeReport::notes), prefixed with the node.
    void note(const std::string& what) const;

private:
    Graph& graph_;
    const Node& node_;
    const ShapeOptions& options_;
    std::vector<std::string>* notes_;
};

using ShapeRule = Status (*)(ShapeContext&);

// The rules, one per kind of op, exported by the family files for the op
// table (ops/op_table.cpp), which says which op uses which.
namespace rules {
// shape_rules_elementwise.cpp: unary, binary broadcast, variadic, Where, Cast, Clip
extern const ShapeRule unaryNone, unaryRelu, unaryNeg, unaryAbs, unaryFloor, unaryCeil, unaryRound, unarySqrt,
    unarySign, unaryReciprocal, unaryNot, boolUnary, identity, cast, castLike, clip, broadcastAdd, broadcastSub,
    broadcastMul, broadcastDiv, broadcastPow, broadcastMod, broadcastBitShift, broadcastPRelu, broadcastAnd,
    broadcastOr, broadcastXor, broadcastEqual, broadcastLess, broadcastGreater, broadcastLessOrEqual,
    broadcastGreaterOrEqual, broadcastMax, broadcastMin, broadcastSum, broadcastMean, where;
// shape_rules_nn.cpp: Conv, ConvTranspose, pools, norms, Gemm, MatMul, Softmax
extern const ShapeRule conv, convTranspose, pool, globalPool, gemm, matMul, softmax, lrn, instanceNorm, lpNorm, mvn,
    batchNorm, layerNorm, dropout, depthToSpace, spaceToDepth, trilu, cumSum;
// shape_rules_linalg.cpp: Det, Einsum
extern const ShapeRule det, einsum;
// shape_rules_loss.cpp: NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss
extern const ShapeRule nllLoss, softmaxCrossEntropyLoss;
// shape_rules_reduce.cpp: ReduceX, ArgMax/ArgMin, TopK
extern const ShapeRule reduceSum, reduceMean, reduceMax, reduceMin, reduceProd, reduceL1, reduceL2, reduceLogSum,
    reduceLogSumExp, reduceSumSquare, arg, topK;
// shape_rules_shape_ops.cpp: Shape, Size, Constant, ConstantOfShape, Range, Expand, Tile
extern const ShapeRule shape, size, constant, constantOfShape, range, eyeLike, expand, tile, oneHot, nonZero;
// shape_rules_tensor.cpp: Reshape, Concat, Split, Slice, Gather, Transpose, Pad
extern const ShapeRule reshape, flatten, squeeze, unsqueeze, concat, split, slice, gather, gatherElements, gatherNd,
    scatter, transpose, pad;
// shape_rules_resize.cpp: Resize, Upsample
extern const ShapeRule resize, upsample;
// shape_rules_select.cpp: Compress, Unique, NonMaxSuppression, MaxUnpool, RoiAlign, GridSample
extern const ShapeRule compress, unique, nonMaxSuppression, maxUnpool, roiAlign, gridSample;
// shape_rules_recurrent.cpp: LSTM, GRU, RNN
extern const ShapeRule recurrent;
// shape_rules_control.cpp: If, Loop, Scan (their bodies resolved)
extern const ShapeRule ifRule, loop, scan;
// shape_rules_signal.cpp: DFT, STFT, the windows, MelWeightMatrix, TfIdfVectorizer
extern const ShapeRule dft, stft, window, melWeightMatrix, tfIdfVectorizer;
// shape_rules_random.cpp: RandomUniform/Normal(Like), Bernoulli, Multinomial
extern const ShapeRule randomFromAttribute, randomLike, bernoulli, multinomial;
// shape_rules_contrib.cpp: ONNX Runtime's com.microsoft ops
extern const ShapeRule biasGelu, simplifiedLayerNorm, skipLayerNorm, fusedMatMul, matMulNBits, attention,
    multiHeadAttention, groupQueryAttention, rotaryEmbedding;
// shape_rules_quant.cpp: QuantizeLinear, DequantizeLinear, the integer and QLinear ops
extern const ShapeRule quantizeLinear, dequantizeLinear, dynamicQuantizeLinear, matMulInteger, convInteger,
    qLinearMatMul, qLinearConv;
}  // namespace rules

// Numpy-style broadcast of two shapes; nullopt-like failure as a Status.
Status broadcastShapes(const Shape& a, const Shape& b, Shape& out);
// Conv's output shape (attributes group, kernel_shape, strides, dilations,
// pads, auto_pad) for input x and weight; shared with the integer convs.
Status convOutputShape(const ShapeContext& c, const Shape& x, const Shape& weight, Shape& out);
// numpy matmul's output shape; shared with the integer matmuls.
Status matMulOutputShape(const ShapeContext& c, Shape a, Shape b, Shape& out);
// Normalizes a possibly negative axis for a tensor of the given rank.
bool normalizeAxis(int64_t& axis, int64_t rank);
// Normalizes every axis; an axis out of range or repeated fails, naming it.
Status normalizeAxes(const ShapeContext& c, std::vector<int64_t>& axes, int64_t rank);
// The model's default-domain opset is known and below `opset` (the rule
// of an older version of the op applies).
bool opsetBefore(const ShapeContext& c, int64_t opset);

}  // namespace interstage::shapes
