// LayerNorm as exporters before opset 17 spell it out, nine elementwise and
// reduction nodes over the hidden axis:
//   mean = ReduceMean(x)  d = x - mean  var = ReduceMean(d^2 | d*d)
//   y = d / Sqrt(var + eps)  (or d * Reciprocal(Sqrt(..)))  [* gamma] [+ beta]
// becomes one LayerNormalization node: one read of x and one write of y
// instead of seven full-size intermediates.
#include <cmath>

#include "passes/pattern_match.h"

namespace interstage {
namespace {

using pattern::is;
using pattern::soleConsumer;

// A ReduceMean over the last axis alone that keeps it (size 1).
bool meanOverLastAxis(const Graph& graph, const Node& node) {
    if (!is(&node, "ReduceMean") || node.attrInt("keepdims", 1) != 1) return false;
    std::vector<int64_t> axes = node.attrInts("axes");
    if (const ValueId axesInput = node.input(1); axesInput != kNoValue) {
        const Value& v = graph.value(axesInput);
        if (!v.constant || v.constant->dtype != DataType::Int64) return false;
        axes.assign(v.constant->data<int64_t>(), v.constant->data<int64_t>() + v.constant->elementCount());
    }
    const auto rank = static_cast<int64_t>(graph.value(node.input(0)).shape.size());
    return axes.size() == 1 && rank > 0 && (axes[0] == -1 || axes[0] == rank - 1);
}

struct LayerNormMatch {
    ValueId x = kNoValue;
    float epsilon = 0;
    std::vector<Node*> inner;  // every node but the last
    Node* last = nullptr;      // becomes the LayerNormalization
    ValueId gamma = kNoValue, beta = kNoValue;
};

// d^2 as Pow(d, 2) or Mul(d, d), and d's other reader (the normalizing node).
bool splitCentredReaders(Graph& graph, ValueId d, Node*& square, Node*& normalize) {
    const std::vector<NodeId>& readers = graph.value(d).consumers;
    square = normalize = nullptr;
    for (NodeId id : readers) {
        Node& n = graph.nodes[static_cast<size_t>(id)];
        const bool isSquare = (is(&n, "Pow") && n.input(0) == d && pattern::scalarNear(graph, n.input(1), 2.f)) ||
                              (is(&n, "Mul") && n.input(0) == d && n.input(1) == d);
        if (isSquare && (!square || square == &n))
            square = &n;
        else if (!normalize)
            normalize = &n;
        else
            return false;
    }
    const size_t expected = is(square, "Mul") ? 3 : 2;
    return square && normalize && readers.size() == expected;
}

// From the variance's ReduceMean to the normalized value n = d / std.
ValueId matchNormalize(Graph& graph, Node& variance, ValueId d, Node* normalize, const std::set<std::string>& pinned,
                       LayerNormMatch& m) {
    Node* addEps = soleConsumer(graph, variance.outputs[0], pinned);
    if (!is(addEps, "Add")) return kNoValue;
    const std::optional<float> eps = pattern::scalarOf(graph, pattern::otherInput(*addEps, variance.outputs[0]));
    if (!eps || !(*eps >= 0.f)) return kNoValue;
    Node* root = soleConsumer(graph, addEps->outputs[0], pinned);
    if (!is(root, "Sqrt")) return kNoValue;
    Node* next = soleConsumer(graph, root->outputs[0], pinned);
    m.inner.insert(m.inner.end(), {addEps, root});
    if (is(next, "Reciprocal")) {
        m.inner.push_back(next);
        if (soleConsumer(graph, next->outputs[0], pinned) != normalize || !is(normalize, "Mul") ||
            pattern::otherInput(*normalize, d) != next->outputs[0])
            return kNoValue;
    } else if (next != normalize || !is(normalize, "Div") || normalize->input(0) != d) {
        return kNoValue;
    }
    m.epsilon = *eps;
    return normalize->outputs[0];
}

// The optional affine after n: Mul(gamma), then Add(beta), constants of `h`.
void matchAffine(Graph& graph, Node* normalize, int64_t h, const std::set<std::string>& pinned, LayerNormMatch& m) {
    m.last = normalize;
    Node* next = soleConsumer(graph, normalize->outputs[0], pinned);
    if (is(next, "Mul")) {
        const ValueId gamma = pattern::otherInput(*next, normalize->outputs[0]);
        if (pattern::lastAxisVector(graph, gamma, h)) {
            m.inner.push_back(m.last);
            m.last = next;
            m.gamma = gamma;
            next = soleConsumer(graph, next->outputs[0], pinned);
        }
    }
    if (is(next, "Add")) {
        const ValueId beta = pattern::otherInput(*next, m.last->outputs[0]);
        if (pattern::lastAxisVector(graph, beta, h)) {
            m.inner.push_back(m.last);
            m.last = next;
            m.beta = beta;
        }
    }
}

bool matchLayerNorm(Graph& graph, Node& mean, const std::set<std::string>& pinned, LayerNormMatch& m) {
    if (!meanOverLastAxis(graph, mean)) return false;
    m.x = mean.input(0);
    const Value& x = graph.value(m.x);
    if (x.dtype != DataType::Float || x.shape.empty()) return false;
    Node* sub = soleConsumer(graph, mean.outputs[0], pinned);
    if (!is(sub, "Sub") || sub->input(0) != m.x || sub->input(1) != mean.outputs[0]) return false;
    const ValueId d = sub->outputs[0];
    Node *square = nullptr, *normalize = nullptr;
    if (!pattern::removable(graph, d, pinned) || !splitCentredReaders(graph, d, square, normalize)) return false;
    Node* variance = soleConsumer(graph, square->outputs[0], pinned);
    if (!variance || !meanOverLastAxis(graph, *variance)) return false;
    m.inner = {&mean, sub, square, variance};
    if (matchNormalize(graph, *variance, d, normalize, pinned, m) == kNoValue) return false;
    // Everything up to n must be the shape of x (no broadcast widening it).
    if (graph.value(normalize->outputs[0]).shape != x.shape) return false;
    matchAffine(graph, normalize, x.shape.back(), pinned, m);
    return true;
}

// A per-channel parameter as the [h] vector LayerNormalization takes.
ValueId asVector(Graph& graph, ValueId id, int64_t h, const std::string& name) {
    if (id != kNoValue && graph.value(id).shape == Shape{h}) return id;
    TensorData data = TensorData::zeros(DataType::Float, {h});
    for (int64_t i = 0; i < h; ++i)
        data.data<float>()[i] = id == kNoValue ? 1.f : graph.value(id).constant->data<float>()[i];
    return addWeight(graph, name, std::move(data));
}

void becomeLayerNorm(Graph& graph, LayerNormMatch& m, RemovedValues& removed) {
    const int64_t h = graph.value(m.x).shape.back();
    const ValueId gamma = asVector(graph, m.gamma, h, m.last->name + "/scale");
    const ValueId beta = m.beta == kNoValue ? kNoValue : asVector(graph, m.beta, h, m.last->name + "/bias");
    pattern::dropNodes(graph, m.inner, m.last->name, removed);
    Node& node = *m.last;
    node.opType = "LayerNormalization";
    node.domain.clear();
    node.inputs = {m.x, gamma};
    if (beta != kNoValue) node.inputs.push_back(beta);
    node.attributes.clear();
    Attribute axis;
    axis.name = "axis";
    axis.kind = Attribute::Kind::Int;
    axis.i = -1;
    Attribute epsilon;
    epsilon.name = "epsilon";
    epsilon.kind = Attribute::Kind::Float;
    epsilon.f = m.epsilon;
    node.attributes = {axis, epsilon};
}

}  // namespace

void fuseLayerNorm(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    bool changed = false;
    // Indices, not references: adding a weight may grow graph.values, never graph.nodes.
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
        LayerNormMatch m;
        if (graph.nodes[i].opType.empty() || !matchLayerNorm(graph, graph.nodes[i], pinned, m)) continue;
        becomeLayerNorm(graph, m, removed);
        changed = true;
    }
    if (changed) compactGraph(graph);
}

}  // namespace interstage
