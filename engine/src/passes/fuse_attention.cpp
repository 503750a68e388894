// Self-attention written out op by op, as exporters write BERT- and
// ViT-style encoders:
//
//   q, k, v (batch, seq, hidden) -> Reshape (batch, seq, heads, d)
//     -> Transpose: Q, V (0 2 1 3); K (0 2 3 1), or (0 2 1 3) then (0 1 3 2)
//   MatMul(Q, K^T) -> Div or Mul by a scalar [-> Add mask] -> Softmax(last)
//     -> MatMul(probs, V) -> Transpose (0 2 1 3) -> Reshape (batch, seq, hidden)
//
// (a scalar Mul on Q or K^T before the first MatMul counts into the scale)
// becomes one com.microsoft MultiHeadAttention reading q, k and v where the
// dense layers wrote them. Its kernel (cpu/ops/contrib/attention_core) computes
// the scores a tile of query rows at a time, so the (batch, heads, seq,
// seq) scores and probabilities, and the heads' transposed copies, are
// never made: the plan loses them and gains only the tiles' workspace.
// Anything else (another softmax axis, a second reader of an intermediate,
// a pinned one, an unknown shape, a mask that does not broadcast as the
// kernel reads it) is left as written.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "ops/op_table.h"
#include "passes/passes.h"

namespace interstage {
namespace {

const std::vector<int64_t> kSplitHeads{0, 2, 1, 3};  // (b, s, h, d) <-> (b, h, s, d)
const std::vector<int64_t> kKeysT{0, 2, 3, 1};       // (b, s, h, d) -> (b, h, d, s)
const std::vector<int64_t> kSwapLast{0, 1, 3, 2};    // (b, h, s, d) -> (b, h, d, s)

bool isOp(const Node* node, const char* opType) { return node && node->domain.empty() && node->opType == opType; }

// The value of a float scalar weight, if `id` is one.
std::optional<float> scalarWeight(const Graph& g, ValueId id) {
    if (id == kNoValue) return std::nullopt;
    const Value& v = g.value(id);
    if (!v.constant || v.constant->dtype != DataType::Float || v.constant->elementCount() != 1) return std::nullopt;
    return v.constant->data<float>()[0];
}

// Walks one candidate pattern from its Softmax, collecting every node and
// intermediate it would remove; match() is false on any mismatch.
class AttentionMatch {
public:
    AttentionMatch(Graph& g, const std::set<std::string>& pinned) : g_(g), pinned_(pinned) {}

    bool match(Node& softmax) {
        if (!softmaxOnLastAxis(softmax)) return false;
        Node* scoresMatMul = scoresFrom(softmax.input(0));
        if (!scoresMatMul) return false;
        head_ = scoresMatMul;
        q_ = queryFrom(scoresMatMul->input(0));
        k_ = keyFrom(scoresMatMul->input(1));
        if (q_ == kNoValue || k_ == kNoValue || !outputFrom(softmax.outputs[0])) return false;
        return shapesAgree();
    }

    // Turns the pattern's last node into the fused one (it runs after every
    // input is made and before every reader of the result) and drops the rest.
    void rewrite(RemovedValues& removed) {
        Node& fused = *tail_;
        fused.name = head_->name;  // the head's name, as every fusion keeps it
        fused.opType = "MultiHeadAttention";
        fused.domain = std::string(ops::kMicrosoftDomain);
        fused.inputs = {q_, k_, v_};
        if (mask_ != kNoValue) fused.inputs.insert(fused.inputs.end(), {kNoValue, kNoValue, mask_});
        fused.attributes = {intAttribute("num_heads", heads_), floatAttribute("scale", scale_)};
        for (Node* node : nodes_)
            if (node != tail_) node->opType.clear();
        for (ValueId id : intermediates_) removed.fusedInto[g_.value(id).name] = fused.name;
        g_.opsets.emplace(std::string(ops::kMicrosoftDomain), 1);
    }

private:
    // The producer of `id` when `id` may vanish (float, shape known, read
    // by one node only, not a graph output, not pinned); recorded.
    Node* take(ValueId id) {
        if (id == kNoValue) return nullptr;
        const Value& v = g_.value(id);
        if (v.producer == kNoNode || v.consumers.size() != 1 || v.isGraphOutput || pinned_.count(v.name) ||
            v.dtype != DataType::Float || !v.shapeResolved)
            return nullptr;
        Node* node = &g_.nodes[static_cast<size_t>(v.producer)];
        if (node->opType.empty()) return nullptr;  // already fused
        nodes_.push_back(node);
        intermediates_.push_back(id);
        return node;
    }

    // The sole reader of `id` when `id` may vanish; recorded.
    Node* readerOf(ValueId id) {
        if (!take(id)) return nullptr;
        Node* reader = &g_.nodes[static_cast<size_t>(g_.value(id).consumers[0])];
        return reader->opType.empty() ? nullptr : reader;
    }

    bool softmaxOnLastAxis(Node& softmax) {
        if (!isOp(&softmax, "Softmax") || softmax.outputs.size() != 1) return false;
        const Value& x = g_.value(softmax.input(0));
        if (!x.shapeResolved || x.shape.size() != 4) return false;
        int64_t axis = softmax.attrInt("axis", g_.opset() >= 13 ? -1 : 1);
        if (axis < 0) axis += 4;
        nodes_.push_back(&softmax);
        return axis == 3;
    }

    // Softmax input <- [Add mask] <- [Div | Mul scalar] <- MatMul(Q, K^T).
    Node* scoresFrom(ValueId x) {
        Node* node = take(x);
        if (isOp(node, "Add")) node = maskedFrom(*node, g_.value(x).shape);
        if (isOp(node, "Div") || isOp(node, "Mul")) node = scaledFrom(*node);
        return isOp(node, "MatMul") ? node : nullptr;
    }

    // The Add's full-shape side is the scores; the other must broadcast as
    // the kernel reads a mask: (batch or 1, heads or 1, seq or 1, keys).
    Node* maskedFrom(Node& add, const Shape& full) {
        const bool first = g_.value(add.input(0)).shape == full;
        const bool second = g_.value(add.input(1)).shape == full;
        if (first == second) return nullptr;  // no side or both: not ours to guess
        mask_ = add.input(first ? 1 : 0);
        const Value& m = g_.value(mask_);
        if (m.dtype != DataType::Float || !m.shapeResolved || m.shape.size() != 4 || m.shape[3] != full[3])
            return nullptr;
        for (size_t axis = 0; axis < 3; ++axis)
            if (m.shape[axis] != 1 && m.shape[axis] != full[axis]) return nullptr;
        return take(add.input(first ? 0 : 1));
    }

    // scores / c or scores * c (either side) with a scalar weight c.
    Node* scaledFrom(Node& node) {
        if (node.opType == "Div") {
            const std::optional<float> c = scalarWeight(g_, node.input(1));
            if (!c || *c == 0.f) return nullptr;
            scale_ /= *c;
            return take(node.input(0));
        }
        for (size_t side = 0; side < 2; ++side) {
            if (const std::optional<float> c = scalarWeight(g_, node.input(side))) {
                scale_ *= *c;
                return take(node.input(1 - side));
            }
        }
        return nullptr;
    }

    // A scalar Mul on Q or K^T before the product (as PyTorch exports
    // scale Q, or both by the root of the scale) counts into the scale.
    Node* unscaled(Node* node) {
        if (!isOp(node, "Mul")) return node;
        for (size_t side = 0; side < 2; ++side) {
            if (const std::optional<float> c = scalarWeight(g_, node->input(side))) {
                scale_ *= *c;
                return take(node->input(1 - side));
            }
        }
        return nullptr;
    }

    // Q: Transpose(0 2 1 3) of the split heads.
    ValueId queryFrom(ValueId id) { return splitHeads(unscaled(take(id)), kSplitHeads); }

    // K^T: Transpose(0 2 3 1) of the split heads, or Transpose(0 1 3 2) of
    // Transpose(0 2 1 3) of them.
    ValueId keyFrom(ValueId id) {
        Node* node = unscaled(take(id));
        if (isOp(node, "Transpose") && node->attrInts("perm") == kSwapLast)
            return splitHeads(take(node->input(0)), kSplitHeads);
        return splitHeads(node, kKeysT);
    }

    // `transpose` (perm `perm`) of Reshape(x (b, s, hidden) -> (b, s, heads,
    // d)); returns x, setting or checking the head count.
    ValueId splitHeads(Node* transpose, const std::vector<int64_t>& perm) {
        if (!isOp(transpose, "Transpose") || transpose->attrInts("perm") != perm) return kNoValue;
        Node* reshape = take(transpose->input(0));
        if (!isOp(reshape, "Reshape")) return kNoValue;
        const ValueId x = reshape->input(0);
        const Value& in = g_.value(x);
        const Shape& split = g_.value(reshape->outputs[0]).shape;
        if (!in.shapeResolved || in.dtype != DataType::Float || in.shape.size() != 3 || split.size() != 4 ||
            split[0] != in.shape[0] || split[1] != in.shape[1] || split[2] * split[3] != in.shape[2])
            return kNoValue;
        if (heads_ != 0 && heads_ != split[2]) return kNoValue;
        heads_ = split[2];
        return x;
    }

    // probs -> MatMul(probs, V) -> Transpose(0 2 1 3) -> Reshape (b, s, hidden).
    bool outputFrom(ValueId probs) {
        Node* mm = readerOf(probs);
        if (!isOp(mm, "MatMul") || mm->input(0) != probs) return false;
        v_ = splitHeads(take(mm->input(1)), kSplitHeads);
        Node* transpose = readerOf(mm->outputs[0]);
        if (v_ == kNoValue || !isOp(transpose, "Transpose") || transpose->attrInts("perm") != kSplitHeads) return false;
        tail_ = readerOf(transpose->outputs[0]);
        if (!isOp(tail_, "Reshape") || tail_->outputs.size() != 1) return false;
        nodes_.push_back(tail_);
        return true;
    }

    // What MultiHeadAttention's rule requires: q (b, s, H), k (b, t, H),
    // v (b, t, Hv), the result (b, s, Hv), every intermediate resolved.
    bool shapesAgree() const {
        const Shape& q = g_.value(q_).shape;
        const Shape& k = g_.value(k_).shape;
        const Shape& v = g_.value(v_).shape;
        const Value& out = g_.value(tail_->outputs[0]);
        if (!g_.value(k_).shapeResolved || !g_.value(v_).shapeResolved || !out.shapeResolved) return false;
        if (k.size() != 3 || v.size() != 3 || k[0] != q[0] || v[0] != q[0] || k[1] != v[1] || k[2] != q[2])
            return false;
        if (heads_ <= 0 || v[2] % heads_ != 0 || out.shape != Shape{q[0], q[1], v[2]}) return false;
        return scale_ != 0.f && std::isfinite(scale_);
    }

    static Attribute intAttribute(const std::string& name, int64_t value) {
        Attribute a;
        a.name = name;
        a.kind = Attribute::Kind::Int;
        a.i = value;
        return a;
    }

    static Attribute floatAttribute(const std::string& name, float value) {
        Attribute a;
        a.name = name;
        a.kind = Attribute::Kind::Float;
        a.f = value;
        return a;
    }

    Graph& g_;
    const std::set<std::string>& pinned_;
    std::vector<Node*> nodes_;
    std::vector<ValueId> intermediates_;
    Node* head_ = nullptr;  // the scores MatMul
    Node* tail_ = nullptr;  // the output Reshape
    ValueId q_ = kNoValue, k_ = kNoValue, v_ = kNoValue, mask_ = kNoValue;
    int64_t heads_ = 0;
    float scale_ = 1.f;
};

}  // namespace

void fuseAttention(Graph& graph, const std::set<std::string>& pinned, RemovedValues& removed) {
    bool changed = false;
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        AttentionMatch match(graph, pinned);
        if (!match.match(graph.nodes[n])) continue;
        match.rewrite(removed);
        changed = true;
    }
    if (changed) compactGraph(graph);
}

}  // namespace interstage
