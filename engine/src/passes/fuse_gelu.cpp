// GELU as exporters spell it out, five to eight elementwise nodes:
//   erf form   0.5 * x * (1 + Erf(x / sqrt(2)))            (or x * (1/sqrt(2)))
//   tanh form  0.5 * x * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
// with the final products in any of the orders PyTorch and TF write, becomes
// one Gelu node (approximate "tanh" for the second): one pass over the
// tensor instead of one per node, and a node matmul fusion can absorb.
#include <numbers>

#include "passes/pattern_match.h"

namespace interstage {
namespace {

using pattern::is;
using pattern::scalarNear;
using pattern::soleConsumer;
using pattern::soleProducer;

constexpr float kInvSqrt2 = 0.70710678f;
constexpr float kSqrt2OverPi = 0.79788456f;
constexpr float kCubic = 0.044715f;

struct GeluMatch {
    ValueId x = kNoValue;
    bool tanh = false;
    std::vector<Node*> inner;
    Node* last = nullptr;
};

// Mul(a, constant) either way round: the non-constant side when the
// constant is near `expected`.
ValueId scaledBy(const Graph& graph, const Node* mul, float expected) {
    if (!is(mul, "Mul") || mul->inputs.size() != 2) return kNoValue;
    if (scalarNear(graph, mul->inputs[1], expected)) return mul->inputs[0];
    if (scalarNear(graph, mul->inputs[0], expected)) return mul->inputs[1];
    return kNoValue;
}

// Erf(x / sqrt(2)): x, or kNoValue.
ValueId erfArgument(Graph& graph, Node& erf, const std::set<std::string>& pinned, GeluMatch& m) {
    Node* scale = soleProducer(graph, erf.input(0), pinned);
    if (!scale) return kNoValue;
    m.inner.push_back(scale);
    if (is(scale, "Div") && scalarNear(graph, scale->input(1), std::numbers::sqrt2_v<float>)) return scale->input(0);
    return scaledBy(graph, scale, kInvSqrt2);
}

// x^3 as Pow(x, 3), Mul(x, x * x) or Mul(x * x, x): x, or kNoValue.
ValueId cubeArgument(Graph& graph, Node* cube, const std::set<std::string>& pinned, GeluMatch& m) {
    if (!cube) return kNoValue;
    m.inner.push_back(cube);
    if (is(cube, "Pow") && scalarNear(graph, cube->input(1), 3.f)) return cube->input(0);
    if (!is(cube, "Mul") || cube->inputs.size() != 2) return kNoValue;
    for (int side = 0; side < 2; ++side) {
        const ValueId x = cube->inputs[static_cast<size_t>(side)];
        Node* square = soleProducer(graph, cube->inputs[static_cast<size_t>(1 - side)], pinned);
        if (is(square, "Mul") && square->input(0) == x && square->input(1) == x) {
            m.inner.push_back(square);
            return x;
        }
    }
    return kNoValue;
}

// Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)): x, or kNoValue.
ValueId tanhArgument(Graph& graph, Node& tanh, const std::set<std::string>& pinned, GeluMatch& m) {
    Node* scale = soleProducer(graph, tanh.input(0), pinned);
    Node* inner = soleProducer(graph, scaledBy(graph, scale, kSqrt2OverPi), pinned);
    if (!is(inner, "Add") || inner->inputs.size() != 2) return kNoValue;
    m.inner.insert(m.inner.end(), {scale, inner});
    for (int side = 0; side < 2; ++side) {
        const ValueId x = inner->inputs[static_cast<size_t>(side)];
        Node* small = soleProducer(graph, inner->inputs[static_cast<size_t>(1 - side)], pinned);
        const ValueId cubed = scaledBy(graph, small, kCubic);
        if (cubed == kNoValue) continue;
        m.inner.push_back(small);
        if (cubeArgument(graph, soleProducer(graph, cubed, pinned), pinned, m) == x) return x;
        return kNoValue;
    }
    return kNoValue;
}

// 0.5 * x * onePlus in the orders exporters write: (x * p) * 0.5,
// (x * 0.5) * p, x * (p * 0.5). Sets m.last.
bool matchHalfProduct(Graph& graph, ValueId onePlus, const std::set<std::string>& pinned, GeluMatch& m) {
    Node* mul = soleConsumer(graph, onePlus, pinned);
    if (!is(mul, "Mul")) return false;
    const ValueId other = pattern::otherInput(*mul, onePlus);
    if (other == m.x) {  // (x * p) * 0.5
        Node* half = soleConsumer(graph, mul->outputs[0], pinned);
        m.inner.push_back(mul);
        m.last = half;
        return scaledBy(graph, half, 0.5f) == mul->outputs[0];
    }
    Node* halfX = soleProducer(graph, other, pinned);
    if (halfX && scaledBy(graph, halfX, 0.5f) == m.x) {  // (x * 0.5) * p
        m.inner.push_back(halfX);
        m.last = mul;
        return true;
    }
    if (scaledBy(graph, mul, 0.5f) != onePlus) return false;  // x * (p * 0.5)
    Node* final = soleConsumer(graph, mul->outputs[0], pinned);
    m.inner.push_back(mul);
    m.last = final;
    return is(final, "Mul") && pattern::otherInput(*final, mul->outputs[0]) == m.x;
}

bool matchGelu(Graph& graph, Node& core, const std::set<std::string>& pinned, GeluMatch& m) {
    if (is(&core, "Erf")) {
        m.x = erfArgument(graph, core, pinned, m);
    } else if (is(&core, "Tanh")) {
        m.x = tanhArgument(graph, core, pinned, m);
        m.tanh = true;
    }
    if (m.x == kNoValue || graph.value(m.x).dtype != DataType::Float) return false;
    m.inner.push_back(&core);
    Node* addOne = soleConsumer(graph, core.outputs[0], pinned);
    if (!is(addOne, "Add") || !scalarNear(graph, pattern::otherInput(*addOne, core.outputs[0]), 1.f)) return false;
    m.inner.push_back(addOne);
    if (!matchHalfProduct(graph, addOne->outputs[0], pinned, m)) return false;
    return graph.value(m.last->outputs[0]).shape == graph.value(m.x).shape;
}

void becomeGelu(Graph& graph, GeluMatch& m, RemovedValues& removed) {
    pattern::dropNodes(graph, m.inner, m.last->name, removed);
    Node& node = *m.last;
    node.opType = "Gelu";
    node.domain.clear();
    node.inputs = {m.x};
    node.attributes.clear();
    if (m.tanh) {
        Attribute approximate;
        approximate.name = "approximate";
        approximate.kind = Attribute::Kind::String;
        approximate.s = "tanh";
        node.attributes.push_back(approximate);
    }
}

}  // namespace

void fuseGelu(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    bool changed = false;
    for (Node& node : graph.nodes) {
        GeluMatch m;
        if (node.opType.empty() || !matchGelu(graph, node, pinned, m)) continue;
        becomeGelu(graph, m, removed);
        changed = true;
    }
    if (changed) compactGraph(graph);
}

}  // namespace interstage
