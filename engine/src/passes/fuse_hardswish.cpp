// Exporters often spell HardSwish out: x * Clip(x + 3, 0, 6) / 6 (Paddle,
// PP-OCR) or x * HardSigmoid(x) with alpha 1/6. Three or four elementwise
// passes over the tensor become one, which activation fusion can then fold
// into the producing Conv.
#include <cmath>

#include "passes/passes.h"

namespace interstage {
namespace {

bool scalarEquals(const Graph& g, ValueId id, float expected) {
    if (id == kNoValue) return false;
    const Value& v = g.value(id);
    if (!v.constant || v.constant->elementCount() != 1 || v.constant->dtype != DataType::Float) return false;
    return std::abs(v.constant->data<float>()[0] - expected) < 1e-6f;
}

// The node producing `id` when `id` is an intermediate only `consumer` reads.
Node* soleProducer(Graph& g, ValueId id, const std::set<std::string>& pinned) {
    if (id == kNoValue) return nullptr;
    const Value& v = g.value(id);
    if (v.producer == kNoNode || v.consumers.size() != 1 || v.isGraphOutput || pinned.count(v.name)) return nullptr;
    Node& n = g.nodes[static_cast<size_t>(v.producer)];
    return n.opType.empty() ? nullptr : &n;
}

bool clipIsZeroToSix(const Graph& g, const Node& clip) {
    if (g.opset() < 11)
        return std::abs(clip.attrFloat("min", -1) - 0.f) < 1e-6f && std::abs(clip.attrFloat("max", -1) - 6.f) < 1e-6f;
    return scalarEquals(g, clip.input(1), 0.f) && scalarEquals(g, clip.input(2), 6.f);
}

void becomeHardSwish(Node& node, ValueId x) {
    node.opType = "HardSwish";
    node.inputs = {x};
    node.attributes.clear();
}

// Mul(x, Clip(Add(x, 3), 0, 6)) -> the Clip branch; returns x or kNoValue.
ValueId matchClipBranch(Graph& g, Node& mul, const std::set<std::string>& pinned, Node*& clipOut, Node*& addOut) {
    for (int side = 0; side < 2; ++side) {
        const ValueId x = mul.input(static_cast<size_t>(side)), other = mul.input(static_cast<size_t>(1 - side));
        Node* clip = soleProducer(g, other, pinned);
        if (!clip || clip->opType != "Clip" || !clipIsZeroToSix(g, *clip)) continue;
        Node* add = soleProducer(g, clip->input(0), pinned);
        if (!add || add->opType != "Add") continue;
        const bool xFirst = add->input(0) == x && scalarEquals(g, add->input(1), 3.f);
        const bool xSecond = add->input(1) == x && scalarEquals(g, add->input(0), 3.f);
        if (!xFirst && !xSecond) continue;
        clipOut = clip;
        addOut = add;
        return x;
    }
    return kNoValue;
}

}  // namespace

void fuseHardSwish(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    bool changed = false;
    for (Node& div : graph.nodes) {
        // x * Clip(x + 3, 0, 6) / 6
        if (div.opType != "Div" || !div.domain.empty() || !scalarEquals(graph, div.input(1), 6.f)) continue;
        Node* mul = soleProducer(graph, div.input(0), pinned);
        if (!mul || mul->opType != "Mul") continue;
        Node *clip = nullptr, *add = nullptr;
        const ValueId x = matchClipBranch(graph, *mul, pinned, clip, add);
        if (x == kNoValue || graph.value(x).dtype != DataType::Float) continue;
        for (const Node* gone : {add, clip, mul}) removed.fusedInto[graph.value(gone->outputs[0]).name] = div.name;
        add->opType.clear();
        clip->opType.clear();
        mul->opType.clear();
        becomeHardSwish(div, x);
        changed = true;
    }
    for (Node& mul : graph.nodes) {
        // x * HardSigmoid(x; alpha 1/6, beta 0.5)
        if (mul.opType != "Mul" || !mul.domain.empty()) continue;
        for (int side = 0; side < 2; ++side) {
            const ValueId x = mul.input(static_cast<size_t>(side));
            Node* hs = soleProducer(graph, mul.input(static_cast<size_t>(1 - side)), pinned);
            if (!hs || hs->opType != "HardSigmoid" || hs->input(0) != x) continue;
            if (std::abs(hs->attrFloat("alpha", 0.2f) - 1.f / 6.f) > 1e-4f ||
                std::abs(hs->attrFloat("beta", 0.5f) - 0.5f) > 1e-6f)
                continue;
            removed.fusedInto[graph.value(hs->outputs[0]).name] = mul.name;
            hs->opType.clear();
            becomeHardSwish(mul, x);
            changed = true;
            break;
        }
    }
    if (changed) compactGraph(graph);
}

}  // namespace interstage
