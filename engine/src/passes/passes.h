// Graph passes run on a session's copy of the graph after shapes resolve:
// they change what executes, never what the file says.
#pragma once

#include <map>
#include <set>
#include <string>

#include "interstage/graph.h"

namespace interstage {

// Why a value of the file's graph no longer exists after the passes.
struct RemovedValues {
    std::map<std::string, std::string> fusedInto;  // value -> node it was fused into
    std::set<std::string> folded;                  // computed once at plan time
};

// Nodes whose every output was folded to a constant during shape
// resolution (shape arithmetic: Shape -> Slice -> Concat ...) become
// weights; the nodes are removed. Graph outputs and pinned values stay.
void foldConstants(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed);

// BatchNormalization folded into the preceding Conv (weights rescaled), and
// Relu / Clip / Sigmoid / HardSigmoid / HardSwish / LeakyRelu fused into the
// producing Conv / ConvTranspose / Gemm / MatMul / Add (written as the
// _fused_* attributes of cpu/activation.h). Only where the intermediate has
// one consumer and is neither a graph output nor pinned.
void fuseLayers(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed);

// x * Clip(x + 3, 0, 6) / 6 and x * HardSigmoid(x) (alpha 1/6) become one
// HardSwish node (run before fuseLayers so it can fold into the Conv).
void fuseHardSwish(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed);

// DequantizeLinear -> Conv (weights through DequantizeLinear) ->
// QuantizeLinear with constant scales and zero points becomes one
// QLinearConv (fuse_qdq_conv.cpp). Run before fuseLayers.
void fuseQdqConv(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed);

// ConvInteger -> Cast(float) -> Mul(scalar) [-> Add(per-channel constant)],
// ONNX Runtime's dynamically quantized conv, becomes one ConvInteger that
// writes the float result (fuse_dequantize_conv.cpp).
void fuseDequantizeIntoConvInteger(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed);

// Self-attention written as MatMul -> scale -> [mask Add] -> Softmax ->
// MatMul between head splits and merges becomes one com.microsoft
// MultiHeadAttention reading Q, K and V as the dense layers wrote them
// (fuse_attention.cpp): the (batch, heads, seq, seq) scores are never made.
void fuseAttention(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed);

// Conv -> Mul(constant) [-> Add(constant)] with scalar or per-channel
// constants folds into the Conv's weights and bias.
void foldAffineIntoConv(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed);
// Mul(constant) [-> Add(constant)] (or an Add alone) whose every reader is
// an unpadded Conv folds into those Convs' weights and bias: the learnable
// affine that PP-LCNetV3 puts after an activation, before a 1x1 Conv.
void foldInputAffineIntoConv(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed);

// A Concat whose first inputs are an earlier Concat's inputs (same order
// and axis) reads that Concat's output instead (nest_concats.cpp):
// DenseNet's growing concatenations become a chain, each one's output a
// candidate to be written in place at the start of the next.
void nestPrefixConcats(Graph& graph);

// Transformer fusions (run before fuseLayers, CPU only: the kernels they
// produce have no Vulkan form):
// ReduceMean, Sub, Pow, ReduceMean, Add eps, Sqrt, Div [, Mul gamma][, Add
// beta] (and the Mul / Reciprocal variants) become one LayerNormalization.
void fuseLayerNorm(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed);
// The erf and tanh forms of GELU written out become one Gelu node.
void fuseGelu(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed);
// MatMul -> Add(constant [N]) becomes a MatMul with the bias as its third
// input, MatMul -> Gelu a MatMul with a fused GELU activation, and
// MatMul -> Add(residual, same shape) one with the residual as its fourth
// input (added before any activation fuseLayers fuses later).
void fuseMatMulEpilogue(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed);

// Conv(1x1, few channels) -> Add(shortcut) [-> Relu] becomes one Conv with
// the shortcut as its fourth input, read unpadded when a zero Pad of
// channels made it (fuse_conv_residual.cpp; CPU only, after fuseLayers).
void fuseConvResidual(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed);

// A MatMul operand made by [Reshape ->] Transpose is read as a strided view
// of the untransposed tensor, and a Transpose [-> Reshape] after it is
// written through strides by the MatMul (fuse_matmul_transpose.cpp).
void foldTransposeIntoMatMul(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed);

// Adds a weight the passes computed (folded Conv weights and biases) under
// `name`, or `name_` etc. when that is taken; returns its id.
ValueId addWeight(Graph& graph, const std::string& name, TensorData data);

// Removes nodes marked with an empty opType and recomputes every value's
// producer and consumers from the node list.
void compactGraph(Graph& graph);

}  // namespace interstage
