#include "passes/blocked_layout.h"

#include <numeric>
#include <set>
#include <vector>

#include "ops/op_table.h"

namespace interstage {
namespace {

bool isSameShapeElementwise(const Graph& graph, const Node& node) {
    if (!node.domain.empty() || node.outputs.size() != 1 || node.output(0) == kNoValue) return false;
    const Shape& out = graph.value(node.output(0)).shape;
    if (ops::hasTrait(node, ops::kBlockedUnary)) {
        // Clip's bounds are constant scalars; the data input is input 0.
        if (node.input(0) == kNoValue || graph.value(node.input(0)).shape != out) return false;
        for (size_t i = 1; i < node.inputs.size(); ++i) {
            const ValueId bound = node.inputs[i];
            if (bound != kNoValue && (!graph.value(bound).constant || graph.value(bound).shape.size() > 0))
                return false;
        }
        return true;
    }
    if (ops::hasTrait(node, ops::kBlockedBinary)) {
        // Both operands of the output's shape, or one of them a constant
        // scalar (PP-LCNet's learnable scale and shift): either way every
        // element meets its partner wherever the channels sit.
        if (node.inputs.size() != 2) return false;
        int tensors = 0;
        for (ValueId id : node.inputs) {
            if (id == kNoValue) return false;
            const Value& v = graph.value(id);
            if (v.constant && v.constant->elementCount() == 1 && v.shape.size() <= out.size()) continue;
            if (v.constant || v.shape != out) return false;
            ++tensors;
        }
        return tensors > 0;
    }
    return false;
}

// Concat along the channels of 4-D tensors: with every part a whole number
// of channel blocks, each image's part is one contiguous run in both
// layouts, at the same offset, so the kernel (and writing parts in place)
// works unchanged when all of them are blocked.
bool isChannelConcat(const Graph& graph, const Node& node) {
    if (node.opType != "Concat" || !node.domain.empty() || node.outputs.size() != 1 || node.output(0) == kNoValue)
        return false;
    const Shape& out = graph.value(node.output(0)).shape;
    if (out.size() != 4 || node.inputs.empty()) return false;
    int64_t axis = node.attrInt("axis", 0);
    if (axis < 0) axis += 4;
    if (axis != 1) return false;
    for (ValueId id : node.inputs)
        if (id == kNoValue || graph.value(id).constant || graph.value(id).shape.size() != 4) return false;
    return true;
}

// 2-D MaxPool / AveragePool run on blocked channels in and out
// (cpu/ops/nn/pool.cpp), without MaxPool's Indices.
bool isBlockablePool(const Graph& graph, const Node& node) {
    if ((node.opType != "MaxPool" && node.opType != "AveragePool") || !node.domain.empty()) return false;
    if (node.output(0) == kNoValue || node.output(1) != kNoValue || node.input(0) == kNoValue) return false;
    return graph.value(node.input(0)).shape.size() == 4 && graph.value(node.output(0)).shape.size() == 4;
}

// Resize of H and W only (linear or nearest, constant parameters) runs on
// blocked channels in and out (cpu/ops/tensor/resize.cpp).
bool isBlockableResize(const Graph& graph, const Node& node) {
    if (node.opType != "Resize" || !node.domain.empty() || node.input(0) == kNoValue || node.output(0) == kNoValue)
        return false;
    const std::string mode = node.attrString("mode", "nearest");
    if ((mode != "nearest" && mode != "linear") || node.hasAttr("axes") || node.attrInt("antialias", 0) != 0 ||
        node.attrString("coordinate_transformation_mode", "half_pixel") == "tf_crop_and_resize")
        return false;
    for (size_t i = 1; i < node.inputs.size(); ++i)
        if (node.inputs[i] != kNoValue && !graph.value(node.inputs[i]).constant) return false;
    const Shape& in = graph.value(node.input(0)).shape;
    const Shape& out = graph.value(node.output(0)).shape;
    return in.size() == 4 && out.size() == 4 && in[0] == out[0] && in[1] == out[1];
}

// Global pooling reads blocked channels (cpu/ops/nn/global_pool.cpp); its
// {N, C, 1, 1} output stays NCHW.
bool isGlobalPool(const Graph& graph, const Node& node) {
    return (node.opType == "GlobalAveragePool" || node.opType == "GlobalMaxPool") && node.domain.empty() &&
           node.input(0) != kNoValue && graph.value(node.input(0)).shape.size() == 4;
}

// Inference BatchNormalization of a 4-D float32 tensor with constant
// statistics: a per-channel affine the CPU kernel runs on blocked channels
// (cpu/ops/nn/channel_affine.h), so DenseNet's Concat -> BatchNorm -> Relu
// -> Conv chains stay blocked from Conv to Conv.
bool isBlockableBatchNorm(const Graph& graph, const Node& node) {
    if (node.opType != "BatchNormalization" || !node.domain.empty() || node.inputs.size() != 5 ||
        node.outputs.size() != 1 || node.output(0) == kNoValue || node.attrInt("training_mode", 0) != 0 ||
        node.attrInt("spatial", 1) != 1)
        return false;
    for (size_t i = 0; i < 5; ++i) {
        if (node.inputs[i] == kNoValue) return false;
        const Value& v = graph.value(node.inputs[i]);
        if (v.dtype != DataType::Float || (i > 0 && !v.constant)) return false;
    }
    return graph.value(node.input(0)).shape.size() == 4;
}

// A 2-D convolution oneDNN runs on blocked channels: dense or depthwise.
// One with a fused residual (passes/fuse_conv_residual.cpp) runs on NCHW.
bool isBlockableConv(const Graph& graph, const Node& node) {
    if (node.opType != "Conv" || !node.domain.empty() || node.inputs.size() < 2 || node.inputs.size() > 3 ||
        node.output(0) == kNoValue || node.input(0) == kNoValue || node.input(1) == kNoValue)
        return false;
    const Value& x = graph.value(node.input(0));
    const Value& w = graph.value(node.input(1));
    if (x.shape.size() != 4 || w.shape.size() != 4 || x.dtype != DataType::Float) return false;
    const int64_t group = node.attrInt("group", 1);
    return group == 1 || (group == x.shape[1] && w.shape[0] == group);
}

// Union-find over value ids: tensors an elementwise node joins.
struct Groups {
    std::vector<ValueId> parent;
    ValueId find(ValueId v) {
        while (parent[static_cast<size_t>(v)] != v) {
            ValueId& up = parent[static_cast<size_t>(v)];
            up = parent[static_cast<size_t>(up)];  // path halving
            v = up;
        }
        return v;
    }
    void join(ValueId a, ValueId b) { parent[static_cast<size_t>(find(a))] = find(b); }
};

}  // namespace

int chooseBlockedLayouts(Graph& graph, int block, std::size_t mixedPlainBound, const std::set<std::string>& pinned) {
    for (Value& v : graph.values) v.channelBlock = 0;
    if (block <= 0) return 0;
    const size_t count = graph.values.size();
    Groups groups{std::vector<ValueId>(count)};
    std::iota(groups.parent.begin(), groups.parent.end(), ValueId(0));
    std::vector<bool> elementwise(graph.nodes.size(), false), conv(graph.nodes.size(), false);
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        const Node& node = graph.nodes[n];
        conv[n] = isBlockableConv(graph, node);
        // Nodes whose data inputs and output must share one layout.
        elementwise[n] = isSameShapeElementwise(graph, node) || isChannelConcat(graph, node) ||
                         isBlockablePool(graph, node) || isBlockableResize(graph, node) ||
                         isBlockableBatchNorm(graph, node);
        if (elementwise[n])
            for (ValueId id : node.inputs)  // Resize's constant parameters stay out
                if (id != kNoValue && !graph.value(id).constant) groups.join(id, node.output(0));
    }

    // Which groups may be blocked at all, and which touch a Conv.
    std::vector<bool> allowed(count, true), touchesConv(count, false);
    for (size_t i = 0; i < count; ++i) {
        const ValueId id = static_cast<ValueId>(i);
        const Value& v = graph.value(id);
        const ValueId root = groups.find(id);
        bool ok = v.shapeResolved && v.isTensor && v.dtype == DataType::Float && v.shape.size() == 4 &&
                  v.shape[1] % block == 0 && v.shape[1] > 0 && !v.constant && !v.isGraphInput && !v.isGraphOutput &&
                  !pinned.count(v.name) && v.producer != kNoNode;
        if (ok) {
            const size_t p = static_cast<size_t>(v.producer);
            ok = conv[p] || elementwise[p];
            touchesConv[static_cast<size_t>(root)] = touchesConv[static_cast<size_t>(root)] || conv[p];
        }
        for (NodeId c : v.consumers) {
            if (!ok) break;
            const Node& consumer = graph.nodes[static_cast<size_t>(c)];
            if (conv[static_cast<size_t>(c)]) {
                ok = consumer.input(0) == id && consumer.input(1) != id && consumer.input(2) != id;
                touchesConv[static_cast<size_t>(root)] = true;
            } else if (isGlobalPool(graph, consumer)) {
                ok = true;
            } else {
                ok = elementwise[static_cast<size_t>(c)];
            }
        }
        if (!ok) allowed[static_cast<size_t>(root)] = false;
    }
    std::vector<bool> blocked(count, false);
    for (size_t i = 0; i < count; ++i) {
        const size_t root = static_cast<size_t>(groups.find(static_cast<ValueId>(i)));
        blocked[i] = allowed[root] && touchesConv[root] && graph.values[i].producer != kNoNode;
    }

    // A Conv with one side blocked reorders its plain side whole: leave the
    // blocked side's group plain where that side is too big. Unblocking can
    // create new mixed convolutions, hence the loop.
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t n = 0; n < graph.nodes.size(); ++n) {
            if (!conv[n]) continue;
            const ValueId in = graph.nodes[n].input(0), out = graph.nodes[n].output(0);
            const bool inBlocked = blocked[static_cast<size_t>(in)], outBlocked = blocked[static_cast<size_t>(out)];
            if (inBlocked == outBlocked) continue;
            const ValueId plainSide = inBlocked ? out : in, blockedSide = inBlocked ? in : out;
            if (graph.value(plainSide).byteSize() <= mixedPlainBound) continue;
            const ValueId root = groups.find(blockedSide);
            for (size_t i = 0; i < count; ++i)
                if (blocked[i] && groups.find(static_cast<ValueId>(i)) == root) blocked[i] = false;
            changed = true;
        }
    }
    int total = 0;
    for (size_t i = 0; i < count; ++i)
        if (blocked[i]) {
            graph.values[i].channelBlock = block;
            ++total;
        }
    return total;
}

}  // namespace interstage
