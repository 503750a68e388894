// Each sequence op rewritten as the tensor ops it amounts to, once the
// lengths and positions are known: list edits need no node at all,
// SequenceAt is the element itself, SequenceLength and OptionalHasElement
// are constants, SplitToSequence is a Split and ConcatFromSequence a
// Concat (with Reshapes where an axis appears or goes away).
#include <numeric>

#include "passes/lower_sequences.h"
#include "passes/passes.h"
#include "passes/sequence_lowering.h"

namespace interstage::sequences {

namespace {

// Every element is a tensor of the plan, its Split output a node output:
// a sequence longer than this is refused rather than planned.
constexpr size_t kMaxElements = 65536;

std::string describe(const Node& node) { return "node '" + node.name + "' (" + node.opType + ")"; }

// Counts from the back for negative positions, as ONNX does; an error
// naming the node when the result is outside [0, last].
Result<size_t> position(const Node& node, int64_t given, size_t length, size_t last) {
    const int64_t p = given < 0 ? given + static_cast<int64_t>(length) : given;
    if (p < 0 || p > static_cast<int64_t>(last))
        return invalidArgument(describe(node) + ": position " + std::to_string(given) +
                               " is out of range for a sequence of " + std::to_string(length) + " tensors");
    return static_cast<size_t>(p);
}

TensorData boolScalar(bool value) {
    TensorData t = TensorData::zeros(DataType::Bool, {});
    t.bytes[0] = std::byte{value ? uint8_t{1} : uint8_t{0}};
    return t;
}

}  // namespace

struct OpLowering {
    Lowering& l;
    const Node& node;

    ValueId output(size_t i) const { return node.output(i); }

    Status sequenceConstruct() {
        Held held;
        for (ValueId id : node.inputs) {
            if (id == kNoValue || !l.g_.value(id).isTensor || l.heldBy(id))
                return invalidArgument(describe(node) + ": every input must be a tensor");
            held.items.push_back(id);
        }
        l.hold(output(0), std::move(held));
        return Status::ok();
    }

    Status sequenceInsert() {
        IS_ASSIGN_OR_RETURN(const Held* seq, l.sequenceInput(node, 0));
        Held held = *seq;
        const ValueId tensor = node.input(1);
        if (tensor == kNoValue || l.heldBy(tensor))
            return invalidArgument(describe(node) + ": input 1 must be a tensor");
        IS_ASSIGN_OR_RETURN(const auto given, l.knownScalar(node, 2));
        size_t at = held.items.size();
        if (given) {
            IS_ASSIGN_OR_RETURN(at, position(node, *given, held.items.size(), held.items.size()));
        }
        held.items.insert(held.items.begin() + static_cast<std::ptrdiff_t>(at), tensor);
        l.hold(output(0), std::move(held));
        return Status::ok();
    }

    Status sequenceErase() {
        IS_ASSIGN_OR_RETURN(const Held* seq, l.sequenceInput(node, 0));
        Held held = *seq;
        if (held.items.empty()) return invalidArgument(describe(node) + ": the sequence is empty");
        IS_ASSIGN_OR_RETURN(const auto given, l.knownScalar(node, 1));
        size_t at = held.items.size() - 1;
        if (given) {
            IS_ASSIGN_OR_RETURN(at, position(node, *given, held.items.size(), held.items.size() - 1));
        }
        held.items.erase(held.items.begin() + static_cast<std::ptrdiff_t>(at));
        l.hold(output(0), std::move(held));
        return Status::ok();
    }

    Status sequenceAt() {
        IS_ASSIGN_OR_RETURN(const Held* seq, l.sequenceInput(node, 0));
        IS_ASSIGN_OR_RETURN(const auto given, l.knownScalar(node, 1));
        if (!given) return invalidArgument(describe(node) + ": needs a position");
        if (seq->items.empty()) return invalidArgument(describe(node) + ": the sequence is empty");
        IS_ASSIGN_OR_RETURN(const size_t at, position(node, *given, seq->items.size(), seq->items.size() - 1));
        l.alias(output(0), seq->items[at]);
        return Status::ok();
    }

    Status sequenceLength() {
        IS_ASSIGN_OR_RETURN(const Held* seq, l.sequenceInput(node, 0));
        const auto length = static_cast<int64_t>(seq->items.size());
        l.alias(output(0), l.newWeight(l.g_.value(output(0)).name, TensorData::fromInt64({length}, {})));
        return Status::ok();
    }

    Status concatFromSequence() {
        IS_ASSIGN_OR_RETURN(const Held* seq, l.sequenceInput(node, 0));
        if (seq->items.empty()) return invalidArgument(describe(node) + ": cannot concatenate an empty sequence");
        const std::vector<ValueId> items = seq->items;
        int64_t axis = node.attrInt("axis", 0);
        const bool newAxis = node.attrInt("new_axis", 0) != 0;
        std::vector<ValueId> parts = items;
        int64_t stackedRank = 0;
        if (newAxis) {
            // Stacking: each tensor gets a dimension of 1 at the axis, then
            // they are concatenated along it.
            for (size_t i = 0; i < items.size(); ++i) {
                IS_ASSIGN_OR_RETURN(Shape shape, l.knownShape(node, items[i]));
                const auto rank = static_cast<int64_t>(shape.size());
                if (axis < -rank - 1 || axis > rank)
                    return invalidArgument(describe(node) + ": axis " + std::to_string(axis) +
                                           " is out of range for stacking tensors of rank " + std::to_string(rank));
                const int64_t at = axis < 0 ? axis + rank + 1 : axis;
                shape.insert(shape.begin() + at, 1);
                stackedRank = rank + 1;
                parts[i] = reshaped(items[i], shape, "stacked_" + std::to_string(i));
            }
            if (axis < 0) axis += stackedRank;
        }
        // The Concat writes the node's own output: a graph output needs no copy.
        l.emit(node, "Concat", parts, {output(0)}, {intAttribute("axis", axis)});
        return Status::ok();
    }

    Status splitToSequence() {
        const ValueId input = node.input(0);
        if (input == kNoValue || l.heldBy(input)) return invalidArgument(describe(node) + ": input 0 must be a tensor");
        IS_ASSIGN_OR_RETURN(const Shape shape, l.knownShape(node, input));
        const auto rank = static_cast<int64_t>(shape.size());
        int64_t axis = node.attrInt("axis", 0);
        if (axis < -rank || axis >= rank)
            return invalidArgument(describe(node) + ": axis " + std::to_string(axis) + " is out of range for rank " +
                                   std::to_string(rank));
        if (axis < 0) axis += rank;
        const int64_t length = shape[static_cast<size_t>(axis)];
        IS_ASSIGN_OR_RETURN(const auto split, l.knownValue(node, 1));
        IS_ASSIGN_OR_RETURN(const std::vector<int64_t> sizes, chunkSizes(split.get(), length));
        const bool squeeze = !split && node.attrInt("keepdims", 1) == 0;
        Held held;
        if (!sizes.empty()) {
            std::vector<ValueId> parts;
            for (size_t i = 0; i < sizes.size(); ++i)
                parts.push_back(l.newTensor(l.g_.value(output(0)).name + "_" + std::to_string(i)));
            emitSplit(input, split ? node.input(1) : kNoValue, parts, sizes, axis);
            held.items = parts;
            if (squeeze) {
                Shape without = shape;
                without.erase(without.begin() + axis);
                for (size_t i = 0; i < parts.size(); ++i)
                    held.items[i] = reshaped(parts[i], without, "squeezed_" + std::to_string(i));
            }
        }
        l.hold(output(0), std::move(held));
        return Status::ok();
    }

    Status optional() {
        Held held;
        held.kind = ValueKind::Optional;
        const ValueId input = node.input(0);
        if (input == kNoValue) {
            held.present = false;
        } else if (const Held* seq = l.heldBy(input)) {
            if (seq->kind != ValueKind::Sequence)
                return invalidArgument(describe(node) + ": an optional cannot hold an optional");
            held.kind = ValueKind::OptionalSequence;
            held.items = seq->items;
        } else {
            held.items = {input};
        }
        l.hold(output(0), std::move(held));
        return Status::ok();
    }

    Status optionalGetElement() {
        const ValueId input = node.input(0);
        const Held* held = input == kNoValue ? nullptr : l.heldBy(input);
        if (input == kNoValue) return invalidArgument(describe(node) + ": needs an input");
        if (!held) {
            l.alias(output(0), input);  // a tensor holds itself (opset 18)
            return Status::ok();
        }
        if (!held->present)
            return invalidArgument(describe(node) + ": the optional '" + l.g_.value(input).name + "' is empty");
        if (held->kind == ValueKind::Optional) {
            l.alias(output(0), held->items.front());
            return Status::ok();
        }
        Held seq = *held;
        seq.kind = ValueKind::Sequence;
        l.hold(output(0), std::move(seq));
        return Status::ok();
    }

    Status optionalHasElement() {
        const ValueId input = node.input(0);
        const Held* held = input == kNoValue ? nullptr : l.heldBy(input);
        const bool present = input != kNoValue && (!held || held->present);
        l.alias(output(0), l.newWeight(l.g_.value(output(0)).name, boolScalar(present)));
        return Status::ok();
    }

private:
    // The sizes of SplitToSequence's chunks: the 'split' input's, chunks of
    // its scalar size (the last one shorter), or ones along the axis.
    Result<std::vector<int64_t>> chunkSizes(const TensorData* split, int64_t length) const {
        auto tooMany = [&](int64_t count) {
            return unsupported(describe(node) + ": " + std::to_string(count) + " tensors; a sequence holds at most " +
                               std::to_string(kMaxElements) + ", each planned as a tensor of its own");
        };
        if (!split && length > static_cast<int64_t>(kMaxElements)) return tooMany(length);
        if (!split) return std::vector<int64_t>(static_cast<size_t>(length), 1);
        if (split->dtype != DataType::Int64 && split->dtype != DataType::Int32)
            return invalidArgument(describe(node) + ": 'split' must be int32 or int64");
        std::vector<int64_t> sizes;
        if (split->shape.empty()) {
            const int64_t chunk = split->intAt(0);
            if (chunk <= 0) return invalidArgument(describe(node) + ": 'split' must be positive");
            if (length / chunk >= static_cast<int64_t>(kMaxElements)) return tooMany(length / chunk);
            for (int64_t done = 0; done < length; done += chunk) sizes.push_back(std::min(chunk, length - done));
            return sizes;
        }
        if (split->elementCount() > static_cast<int64_t>(kMaxElements)) return tooMany(split->elementCount());
        for (int64_t i = 0; i < split->elementCount(); ++i) {
            if (split->intAt(i) < 0 || split->intAt(i) > length)
                return invalidArgument(describe(node) + ": 'split' has the size " + std::to_string(split->intAt(i)) +
                                       " for an axis of " + std::to_string(length));
            sizes.push_back(split->intAt(i));
        }
        if (std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) != length)
            return invalidArgument(describe(node) + ": the 'split' sizes do not add up to " + std::to_string(length));
        return sizes;
    }

    // `given`: the node's own 'split' input, reused when it is the sizes
    // as Split takes them (an int64 list) rather than a chunk size.
    void emitSplit(ValueId input, ValueId given, const std::vector<ValueId>& parts, const std::vector<int64_t>& sizes,
                   int64_t axis) {
        // Split takes its sizes as an input from opset 13, as an attribute before.
        std::vector<Attribute> attributes = {intAttribute("axis", axis)};
        std::vector<ValueId> inputs = {input};
        const Value* sizesGiven = given == kNoValue ? nullptr : &l.g_.value(given);
        const bool reuse = sizesGiven && sizesGiven->isWeight() && sizesGiven->constant &&
                           sizesGiven->constant->dtype == DataType::Int64 && sizesGiven->constant->shape.size() == 1;
        if (l.g_.opset() >= 13 && reuse)
            inputs.push_back(given);
        else if (l.g_.opset() >= 13)
            inputs.push_back(l.newWeight(node.name + "/split_sizes",
                                         TensorData::fromInt64(sizes, {static_cast<int64_t>(sizes.size())})));
        else
            attributes.push_back(intsAttribute("split", sizes));
        l.emit(node, "Split", inputs, parts, std::move(attributes));
    }

    ValueId reshaped(ValueId tensor, const Shape& shape, const std::string& what) {
        const ValueId out = l.newTensor(node.name + "/" + what);
        const ValueId target = l.newWeight(node.name + "/" + what + "_shape",
                                           TensorData::fromInt64(std::vector<int64_t>(shape.begin(), shape.end()),
                                                                 {static_cast<int64_t>(shape.size())}));
        l.emit(node, "Reshape", {tensor, target}, {out});
        return out;
    }
};

Status Lowering::lowerOp(const Node& node) {
    OpLowering op{*this, node};
    const std::string& type = node.opType;
    if (type == "SequenceConstruct") return op.sequenceConstruct();
    if (type == "SequenceEmpty") {
        hold(node.output(0), Held{});
        return Status::ok();
    }
    if (type == "SequenceInsert") return op.sequenceInsert();
    if (type == "SequenceErase") return op.sequenceErase();
    if (type == "SequenceAt") return op.sequenceAt();
    if (type == "SequenceLength") return op.sequenceLength();
    if (type == "ConcatFromSequence") return op.concatFromSequence();
    if (type == "SplitToSequence") return op.splitToSequence();
    if (type == "Optional") return op.optional();
    if (type == "OptionalGetElement") return op.optionalGetElement();
    if (type == "OptionalHasElement") return op.optionalHasElement();
    if (type == "SequenceMap") return inlineSequenceMap(node);
    return unsupported(describe(node) + ": not a sequence op");
}

Result<const Held*> Lowering::sequenceInput(const Node& node, size_t index) const {
    const ValueId id = node.input(index);
    const Held* held = id == kNoValue ? nullptr : heldBy(id);
    if (!held || held->kind != ValueKind::Sequence)
        return invalidArgument(describe(node) + ": input " + std::to_string(index) +
                               (id == kNoValue ? "" : " ('" + g_.value(id).name + "')") + " must be a sequence");
    return held;
}

Result<std::shared_ptr<const TensorData>> Lowering::knownValue(const Node& node, size_t index) {
    return knownValueOf(node, node.input(index), "input " + std::to_string(index));
}

Result<std::shared_ptr<const TensorData>> Lowering::knownValueOf(const Node& node, ValueId id,
                                                                 const std::string& what) {
    if (id == kNoValue) return std::shared_ptr<const TensorData>();
    if (g_.value(id).constant) return g_.value(id).constant;
    if (heldBy(id)) return invalidArgument(describe(node) + ": " + what + " must be a tensor");
    // Shapes of the nodes before this one may fold it (Shape -> Gather ...).
    if (!resolvedPrefix_ || resolvedPrefixNodes_ != out_.size()) {
        Graph prefix = g_;
        prefix.nodes = out_;
        compactGraph(prefix);
        ShapeOptions options = options_;
        options.keepGoing = true;
        auto report = resolveShapes(prefix, shapes_, options, values_);
        if (!report.ok()) return report.status();
        resolvedPrefix_ = std::move(prefix);
        resolvedPrefixNodes_ = out_.size();
    }
    if (static_cast<size_t>(id) >= resolvedPrefix_->values.size())
        return unsupported(describe(node) + ": " + what + " is not known before running");
    const Value& v = resolvedPrefix_->value(id);
    if (v.constant) return v.constant;
    const std::string why =
        v.isGraphInput ? "it is the graph input '" + v.name + "'" : "'" + v.name + "' is computed while the model runs";
    const std::string message = describe(node) + ": " + what + " is known only at run time (" + why +
                                "); sequence lengths and positions must be known before running, to plan their tensors";
    // Without the inputs' values it may still fold from them: a shape
    // error makes the session resolve again when a run brings them.
    return values_ ? unsupported(message) : shapeError(message);
}

Result<std::optional<int64_t>> Lowering::knownScalar(const Node& node, size_t index) {
    IS_ASSIGN_OR_RETURN(const auto value, knownValue(node, index));
    if (!value) return std::optional<int64_t>();
    if ((value->dtype != DataType::Int64 && value->dtype != DataType::Int32) || value->elementCount() != 1)
        return invalidArgument(describe(node) + ": input " + std::to_string(index) + " must be an integer scalar");
    return std::optional<int64_t>(value->intAt(0));
}

Result<Shape> Lowering::knownShape(const Node& node, ValueId id) {
    if (g_.value(id).constant) return g_.value(id).constant->shape;
    if (g_.value(id).isWeight() && g_.value(id).shapeResolved) return g_.value(id).shape;
    Node probe = node;
    probe.inputs = {id};
    auto known = knownValue(probe, 0);  // resolves the prefix's shapes
    const bool inPrefix = resolvedPrefix_ && static_cast<size_t>(id) < resolvedPrefix_->values.size();
    const Value& v = inPrefix ? resolvedPrefix_->value(id) : g_.value(id);
    if (v.shapeResolved) return v.shape;
    if (!known.ok() && known.status().code() != StatusCode::Unsupported) return known.status();
    return shapeError(describe(node) + ": the shape of '" + g_.value(id).name + "' is not known before running");
}

}  // namespace interstage::sequences
