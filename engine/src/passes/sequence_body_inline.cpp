// SequenceMap: its body once per element, and a Loop that carries
// sequences: its body once per iteration, inlined into the graph with its
// values renamed "<node>/<element or iteration>/<value>", so every
// element's tensors are planned like any other. The body's sequence ops
// are resolved as they come.
#include "passes/lower_sequences.h"
#include "passes/sequence_lowering.h"

namespace interstage::sequences {

Result<std::vector<ValueId>> Lowering::inlineBody(const Node& owner, const Graph& body,
                                                  const std::vector<ValueId>& bindings, const std::string& prefix) {
    const std::vector<ValueId> bodyInputs = body.runtimeInputs();
    if (bodyInputs.size() != bindings.size())
        return invalidModel("node '" + owner.name + "' (" + owner.opType + ") has " + std::to_string(bindings.size()) +
                            " inputs, but its body takes " + std::to_string(bodyInputs.size()));
    std::map<ValueId, ValueId> renamed;
    // This body's names, for the bodies nested in it that read them.
    const size_t scope = scopes_.size();
    scopes_.emplace_back();
    struct PopScope {
        std::vector<std::map<std::string, ValueId>>& scopes;
        ~PopScope() { scopes.pop_back(); }
    } popScope{scopes_};
    for (size_t j = 0; j < bindings.size(); ++j) {
        renamed[bodyInputs[j]] = bindings[j];
        scopes_[scope][body.value(bodyInputs[j]).name] = bindings[j];
    }
    std::string missing;
    auto outerValue = [&](const std::string& name) {
        for (size_t k = scope; k-- > 0;)
            if (auto it = scopes_[k].find(name); it != scopes_[k].end()) return it->second;
        return g_.find(name);
    };
    auto map = [&](ValueId inner) -> ValueId {
        if (inner == kNoValue) return kNoValue;
        if (auto it = renamed.find(inner); it != renamed.end()) return resolved(it->second);
        const Value& v = body.value(inner);
        if (v.fromOuterScope) {
            const ValueId outer = outerValue(v.name);
            if (outer == kNoValue) missing = v.name;
            return renamed[inner] = outer == kNoValue ? kNoValue : resolved(outer);
        }
        Value copy = v;
        copy.name = prefix + v.name;
        while (g_.find(copy.name) != kNoValue) copy.name += "_";
        copy.producer = kNoNode;
        copy.consumers.clear();
        copy.isGraphInput = copy.isGraphOutput = false;
        if (!copy.isWeight()) {
            copy.shapeResolved = false;
            copy.shape.clear();
            copy.constant.reset();
        }
        const ValueId id = g_.addValue(std::move(copy));
        scopes_[scope][v.name] = id;
        return renamed[inner] = id;
    };
    for (const Node& inner : body.nodes) {
        Node copy = inner;
        copy.name = prefix + inner.name;
        for (ValueId& id : copy.inputs) id = map(id);
        for (ValueId& id : copy.outputs) id = map(id);
        for (ValueId& id : copy.implicitInputs) id = map(id);
        if (!missing.empty())
            return invalidModel("node '" + owner.name + "' (" + owner.opType + "): its body reads '" + missing +
                                "', which no enclosing graph has");
        // A nested body reads this one's values by name, and they are
        // renamed here: only a nested If or Loop that is inlined in turn
        // (it has sequences) finds them.
        const bool inlined =
            copy.domain.empty() && (copy.opType == "If" || copy.opType == "Loop") && takesSequences(copy);
        if (copy.hasSubgraph && !inlined)
            return unsupported("node '" + owner.name + "' (" + owner.opType + "): its body's node '" + inner.name +
                               "' (" + inner.opType + ") has a body of its own, which is not inlined");
        IS_RETURN_IF_ERROR(handle(std::move(copy)));
    }
    std::vector<ValueId> results;
    for (ValueId id : body.outputs) results.push_back(resolved(map(id)));
    if (!missing.empty())
        return invalidModel("node '" + owner.name + "' (" + owner.opType + "): its body reads '" + missing +
                            "', which no enclosing graph has");
    return results;
}

Status Lowering::inlineSequenceMap(const Node& node) {
    const Graph* body = node.subgraph("body");
    if (!body) return invalidModel("node '" + node.name + "' (SequenceMap) has no body");
    IS_ASSIGN_OR_RETURN(const Held* first, sequenceInput(node, 0));
    const size_t length = first->items.size();
    std::vector<std::vector<ValueId>> inputs;  // per input: its elements, or the tensor once per element
    for (size_t j = 0; j < node.inputs.size(); ++j) {
        const ValueId id = node.inputs[j];
        const Held* held = id == kNoValue ? nullptr : heldBy(id);
        if (!held) {
            inputs.emplace_back(length, id);
            continue;
        }
        if (held->kind != ValueKind::Sequence || held->items.size() != length)
            return invalidArgument("node '" + node.name + "' (SequenceMap): input " + std::to_string(j) +
                                   " is not a sequence of " + std::to_string(length) + " tensors like input 0");
        inputs.push_back(held->items);
    }
    std::vector<Held> outputs(node.outputs.size());
    for (size_t i = 0; i < length; ++i) {
        std::vector<ValueId> bindings;
        bindings.reserve(inputs.size());
        for (const auto& elements : inputs) bindings.push_back(elements[i]);
        IS_ASSIGN_OR_RETURN(const auto results,
                            inlineBody(node, *body, bindings, node.name + "/" + std::to_string(i) + "/"));
        if (results.size() != outputs.size())
            return invalidModel("node '" + node.name + "' (SequenceMap) has " + std::to_string(outputs.size()) +
                                " outputs, but its body gives " + std::to_string(results.size()));
        for (size_t k = 0; k < results.size(); ++k) {
            if (results[k] == kNoValue || heldBy(results[k]))
                return unsupported("node '" + node.name + "' (SequenceMap): body output " + std::to_string(k) +
                                   " is not a tensor; sequences of sequences are not supported");
            outputs[k].items.push_back(results[k]);
        }
    }
    for (size_t k = 0; k < outputs.size(); ++k) hold(node.output(k), std::move(outputs[k]));
    return Status::ok();
}

namespace {

// Unrolling copies the body per iteration: beyond this the graph would
// grow past what a plan is worth.
constexpr int64_t kMaxUnrolledIterations = 4096;

TensorData scalar(DataType dtype, int64_t value) {
    if (dtype != DataType::Bool) return TensorData::fromInt64({value}, {});
    TensorData b = TensorData::zeros(DataType::Bool, {});
    b.bytes[0] = std::byte{value != 0 ? uint8_t{1} : uint8_t{0}};
    return b;
}

}  // namespace

Result<bool> Lowering::loopGoesOn(const Node& node, ValueId condition) {
    if (condition == kNoValue) return true;
    IS_ASSIGN_OR_RETURN(const auto value, knownValueOf(node, condition, "the loop condition"));
    if (!value || value->dtype != DataType::Bool || value->elementCount() != 1)
        return invalidArgument("node '" + node.name + "' (Loop): the condition must be a bool scalar");
    return value->bytes[0] != std::byte{0};
}

Status Lowering::unrollLoop(const Node& node) {
    const Graph* body = node.subgraph("body");
    if (!body) return invalidModel("node '" + node.name + "' (Loop) has no body");
    const size_t carried = node.inputs.size() < 2 ? 0 : node.inputs.size() - 2;
    if (body->outputs.size() < 1 + carried || node.outputs.size() != body->outputs.size() - 1)
        return invalidModel("node '" + node.name + "' (Loop): its body's outputs do not match the node's");
    IS_ASSIGN_OR_RETURN(const auto trips, knownValueOf(node, node.input(0), "the trip count"));
    if (trips && (trips->elementCount() != 1 || (trips->dtype != DataType::Int64 && trips->dtype != DataType::Int32)))
        return invalidArgument("node '" + node.name + "' (Loop): the trip count must be an integer scalar");
    const int64_t limit = trips ? trips->intAt(0) : kMaxUnrolledIterations + 1;
    ValueId condition = node.input(1);
    std::vector<ValueId> state(node.inputs.begin() + 2, node.inputs.end());
    std::vector<std::vector<ValueId>> scans(body->outputs.size() - 1 - carried);
    for (int64_t i = 0; i < limit; ++i) {
        IS_ASSIGN_OR_RETURN(const bool goesOn, loopGoesOn(node, condition));
        if (!goesOn) break;
        if (i == kMaxUnrolledIterations)
            return unsupported("node '" + node.name +
                               "' (Loop) carries sequences, so it is unrolled, and runs more than " +
                               std::to_string(kMaxUnrolledIterations) + " iterations");
        const ValueId iteration = newWeight(node.name + "/iteration_" + std::to_string(i), scalar(DataType::Int64, i));
        const ValueId going =
            condition == kNoValue ? newWeight(node.name + "/always", scalar(DataType::Bool, 1)) : condition;
        std::vector<ValueId> bindings = {iteration, going};
        bindings.insert(bindings.end(), state.begin(), state.end());
        IS_ASSIGN_OR_RETURN(const auto results,
                            inlineBody(node, *body, bindings, node.name + "/" + std::to_string(i) + "/"));
        condition = results[0];
        std::copy(results.begin() + 1, results.begin() + 1 + static_cast<std::ptrdiff_t>(carried), state.begin());
        for (size_t k = 0; k < scans.size(); ++k) scans[k].push_back(results[1 + carried + k]);
    }
    takeResults(node, state);
    for (size_t k = 0; k < scans.size(); ++k)
        IS_RETURN_IF_ERROR(stackScanOutput(node, node.output(carried + k), scans[k]));
    return Status::ok();
}

void Lowering::takeResults(const Node& node, const std::vector<ValueId>& results) {
    for (size_t j = 0; j < results.size() && j < node.outputs.size(); ++j) {
        if (const Held* held = heldBy(results[j]))
            hold(node.output(j), *held);
        else
            alias(node.output(j), results[j]);
    }
}

Status Lowering::inlineIf(const Node& node) {
    IS_ASSIGN_OR_RETURN(const auto condition, knownValueOf(node, node.input(0), "the condition"));
    if (!condition || condition->elementCount() != 1 || condition->dtype != DataType::Bool)
        return invalidArgument("node '" + node.name + "' (If): the condition must be a bool scalar");
    const bool taken = condition->bytes[0] != std::byte{0};
    const std::string branchName = taken ? "then_branch" : "else_branch";
    const Graph* branch = node.subgraph(branchName);
    if (!branch) return invalidModel("node '" + node.name + "' (If) has no " + branchName);
    IS_ASSIGN_OR_RETURN(const auto results, inlineBody(node, *branch, {}, node.name + "/" + branchName + "/"));
    if (results.size() != node.outputs.size())
        return invalidModel("node '" + node.name + "' (If) has " + std::to_string(node.outputs.size()) +
                            " outputs, but its " + branchName + " gives " + std::to_string(results.size()));
    takeResults(node, results);
    return Status::ok();
}

// A scan output: each iteration's value with a leading 1, concatenated.
Status Lowering::stackScanOutput(const Node& node, ValueId output, const std::vector<ValueId>& iterations) {
    if (output == kNoValue) return Status::ok();
    if (iterations.empty())
        return unsupported("node '" + node.name + "' (Loop): a scan output of no iterations has no known shape");
    std::vector<ValueId> parts;
    for (size_t i = 0; i < iterations.size(); ++i) {
        if (heldBy(iterations[i]))
            return unsupported("node '" + node.name + "' (Loop): a scan output of sequences is not supported");
        IS_ASSIGN_OR_RETURN(Shape shape, knownShape(node, iterations[i]));
        shape.insert(shape.begin(), 1);
        const ValueId part = newTensor(node.name + "/scan_" + std::to_string(i));
        const ValueId target = newWeight(node.name + "/scan_shape_" + std::to_string(i),
                                         TensorData::fromInt64(std::vector<int64_t>(shape.begin(), shape.end()),
                                                               {static_cast<int64_t>(shape.size())}));
        emit(node, "Reshape", {iterations[i], target}, {part});
        parts.push_back(part);
    }
    emit(node, "Concat", parts, {output}, {intAttribute("axis", 0)});
    return Status::ok();
}

}  // namespace interstage::sequences
