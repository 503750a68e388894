// SequenceMap: its body once per element, inlined into the graph with its
// values renamed "<node>/<element>/<value>", so every element's tensors are
// planned like any other. The body's sequence ops are resolved as they come.
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
    for (size_t j = 0; j < bindings.size(); ++j) renamed[bodyInputs[j]] = bindings[j];
    std::string missing;
    auto map = [&](ValueId inner) -> ValueId {
        if (inner == kNoValue) return kNoValue;
        if (auto it = renamed.find(inner); it != renamed.end()) return resolved(it->second);
        const Value& v = body.value(inner);
        if (v.fromOuterScope) {
            const ValueId outer = g_.find(v.name);
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
        return renamed[inner] = g_.addValue(std::move(copy));
    };
    for (const Node& inner : body.nodes) {
        if (inner.hasSubgraph)
            return unsupported("node '" + owner.name + "' (" + owner.opType + "): its body's node '" + inner.name +
                               "' (" + inner.opType + ") has a body of its own, which is not inlined");
        Node copy = inner;
        copy.name = prefix + inner.name;
        for (ValueId& id : copy.inputs) id = map(id);
        for (ValueId& id : copy.outputs) id = map(id);
        if (!missing.empty())
            return invalidModel("node '" + owner.name + "' (" + owner.opType + "): its body reads '" + missing +
                                "', which no enclosing graph has");
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

}  // namespace interstage::sequences
