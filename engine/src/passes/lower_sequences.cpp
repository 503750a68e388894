// lowerSequences(): the driver. Graph inputs first (one tensor per element
// the caller gives), then every node in order, then the graph outputs (one
// per element). The per-op rewrites are in sequence_op_lowering.cpp, the
// bodies of SequenceMap in sequence_body_inline.cpp.
#include "passes/lower_sequences.h"

#include <algorithm>
#include <set>

#include "ops/op_table.h"
#include "passes/passes.h"
#include "passes/sequence_lowering.h"

namespace interstage {

bool isSequenceOp(std::string_view opType) {
    const ops::OpEntry* op = ops::findOp(opType);
    return op && (op->traits & ops::kResolvedBeforePlanning) != 0;
}

bool hasSequenceValues(const Graph& graph) {
    for (const Value& v : graph.values)
        if (!v.isTensor && (v.isGraphInput || v.isGraphOutput)) return true;
    for (const Node& node : graph.nodes) {
        if (node.domain.empty() && isSequenceOp(node.opType)) return true;
        // A sequence op in a body: its If or Loop must be resolved too.
        for (const Attribute& a : node.attributes) {
            if (a.graph && hasSequenceValues(*a.graph)) return true;
            for (const auto& body : a.graphs)
                if (hasSequenceValues(*body)) return true;
        }
    }
    return false;
}

Status lowerSequences(Graph& graph, const InputShapes& shapes, const ShapeOptions& options, const InputValues* values) {
    if (!hasSequenceValues(graph)) return Status::ok();
    sequences::Lowering lowering(graph, shapes, options, values);
    return lowering.run();
}

namespace sequences {

Attribute intAttribute(const std::string& name, int64_t value) {
    Attribute a;
    a.name = name;
    a.kind = Attribute::Kind::Int;
    a.i = value;
    return a;
}

Attribute intsAttribute(const std::string& name, std::vector<int64_t> values) {
    Attribute a;
    a.name = name;
    a.kind = Attribute::Kind::Ints;
    a.ints = std::move(values);
    return a;
}

Status Lowering::run() {
    IS_RETURN_IF_ERROR(flattenInputs());
    std::vector<Node> nodes = std::move(g_.nodes);
    g_.nodes.clear();
    for (Node& node : nodes) IS_RETURN_IF_ERROR(handle(std::move(node)));
    IS_RETURN_IF_ERROR(flattenOutputs());
    dropUnreadConstants();
    g_.nodes = std::move(out_);
    compactGraph(g_);
    return Status::ok();
}

// Positions and lengths were read at plan time: their Constant nodes,
// read by nothing else now, would only hold memory.
void Lowering::dropUnreadConstants() {
    std::set<ValueId> read(g_.outputs.begin(), g_.outputs.end());
    for (const Node& node : out_) {
        read.insert(node.inputs.begin(), node.inputs.end());
        read.insert(node.implicitInputs.begin(), node.implicitInputs.end());
    }
    out_.erase(std::remove_if(out_.begin(), out_.end(),
                              [&](const Node& node) {
                                  return node.opType == "Constant" && node.domain.empty() &&
                                         std::none_of(node.outputs.begin(), node.outputs.end(),
                                                      [&](ValueId id) { return read.count(id) > 0; });
                              }),
               out_.end());
}

Status Lowering::flattenInputs() {
    std::vector<ValueId> inputs;
    for (ValueId id : g_.inputs) {
        const Value v = g_.value(id);  // a copy: adding the elements moves the values
        if (v.isTensor || v.isInitializer) {
            inputs.push_back(id);
            continue;
        }
        if (v.kind == ValueKind::Other)
            return unsupported("graph input '" + v.name + "' is a non-tensor value other than a sequence or optional");
        Held held;
        held.kind = v.kind;
        auto addInput = [&](const std::string& name) {
            Value element;
            element.name = name;
            element.dtype = v.dtype;
            element.hasDeclaredShape = v.hasDeclaredShape;
            element.declaredShape = v.declaredShape;
            element.isGraphInput = true;
            const ValueId elementId = g_.addValue(std::move(element));
            inputs.push_back(elementId);
            held.items.push_back(elementId);
        };
        const std::string name = v.name;
        g_.value(id).isGraphInput = false;
        if (held.kind == ValueKind::Optional) {
            held.present = shapes_.count(name) > 0;
            if (held.present) addInput(name);
        } else {
            for (size_t i = 0; shapes_.count(sequenceElementName(name, i)); ++i) addInput(sequenceElementName(name, i));
            // An optional sequence given no element reads as absent: the
            // caller's names cannot tell it from an empty one.
            held.present = held.kind == ValueKind::Sequence || !held.items.empty();
        }
        held_[id] = std::move(held);
    }
    g_.inputs = std::move(inputs);
    return Status::ok();
}

Status Lowering::flattenOutputs() {
    std::vector<ValueId> outputs;
    for (ValueId id : g_.outputs) {
        const std::string name = g_.value(id).name;
        const ValueId tensor = resolved(id);
        if (const Held* held = heldBy(tensor)) {
            g_.value(id).isGraphOutput = false;
            const Held copy = *held;  // copyAsOutput adds values
            if (!copy.present) continue;
            if (copy.kind == ValueKind::Optional) {
                outputs.push_back(outputAs(copy.items.front(), name));
                continue;
            }
            for (size_t i = 0; i < copy.items.size(); ++i)
                outputs.push_back(outputAs(copy.items[i], sequenceElementName(name, i)));
        } else if (tensor != id) {
            g_.value(id).isGraphOutput = false;
            outputs.push_back(outputAs(tensor, name));
        } else if (!g_.value(id).isTensor) {
            return unsupported("graph output '" + name + "' is a non-tensor value that no sequence op made");
        } else {
            outputs.push_back(id);
        }
    }
    g_.outputs = std::move(outputs);
    return Status::ok();
}

// A graph output that is another value (an input, an element of a
// sequence) is copied under the output's name, as Identity would: the
// caller reads outputs by name, and an element may be output twice.
ValueId Lowering::copyAsOutput(ValueId tensor, const std::string& name) {
    Value out;
    out.name = name;
    out.isGraphOutput = true;
    const ValueId id = g_.addValue(std::move(out));
    Node origin;
    origin.name = name;
    emit(origin, "Identity", {tensor}, {id});
    return id;
}

// An element made by a node of the graph, and read by no body (bodies
// read by name), becomes the output itself: its producer writes it under
// the output's name, so the output costs no copy.
ValueId Lowering::outputAs(ValueId element, const std::string& name) {
    const ValueId tensor = resolved(element);  // moved already: copied from the output it became
    const Value& v = g_.value(tensor);
    bool movable = v.isTensor && !v.isWeight() && !v.isGraphInput && !v.isGraphOutput && !v.fromOuterScope;
    bool produced = false;
    for (const Node& node : out_) {
        produced = produced || std::find(node.outputs.begin(), node.outputs.end(), tensor) != node.outputs.end();
        movable = movable && std::find(node.implicitInputs.begin(), node.implicitInputs.end(), tensor) ==
                                 node.implicitInputs.end();
    }
    if (!movable || !produced) return copyAsOutput(tensor, name);
    Value out = g_.value(tensor);
    out.name = name;
    out.isGraphOutput = true;
    const ValueId id = g_.addValue(std::move(out));
    for (Node& node : out_) {
        std::replace(node.inputs.begin(), node.inputs.end(), tensor, id);
        std::replace(node.outputs.begin(), node.outputs.end(), tensor, id);
    }
    retire(tensor);
    aliases_[tensor] = id;
    return id;
}

Status Lowering::handle(Node node) {
    for (ValueId& id : node.inputs)
        if (id != kNoValue) id = resolved(id);
    if (node.domain.empty() && isSequenceOp(node.opType)) return lowerOp(node);
    return passOn(std::move(node));
}

// Whether a sequence or optional goes into the node or its bodies.
bool Lowering::takesSequences(const Node& node) const {
    for (ValueId id : node.inputs)
        if (id != kNoValue && (heldBy(id) || !g_.value(id).isTensor)) return true;
    for (ValueId id : node.implicitInputs)
        if (id != kNoValue && (heldBy(resolved(id)) || !g_.value(resolved(id)).isTensor)) return true;
    for (const Attribute& a : node.attributes) {
        if (a.graph && hasSequenceValues(*a.graph)) return true;
        for (const auto& body : a.graphs)
            if (hasSequenceValues(*body)) return true;
    }
    return false;
}

Status Lowering::passOn(Node node) {
    if (node.domain.empty() && node.opType == "Identity" && node.inputs.size() == 1 && heldBy(node.inputs[0])) {
        hold(node.outputs.at(0), *heldBy(node.inputs[0]));
        return Status::ok();
    }
    // A Loop that carries sequences runs its body once per iteration, inlined.
    if (node.domain.empty() && node.opType == "Loop" && takesSequences(node)) return unrollLoop(node);
    // An If with sequences in its branches: the branch its condition takes.
    if (node.domain.empty() && node.opType == "If" && takesSequences(node)) return inlineIf(node);
    for (ValueId id : node.inputs)
        if (id != kNoValue && (heldBy(id) || !g_.value(id).isTensor))
            return unsupported("node '" + node.name + "' (" + node.opType + ") takes the non-tensor value '" +
                               g_.value(id).name +
                               "': sequences and optionals are resolved into tensors before running, which only "
                               "the sequence ops, Identity and SequenceMap do");
    for (ValueId& id : node.implicitInputs) {
        if (heldBy(resolved(id)) || !g_.value(resolved(id)).isTensor)
            return unsupported("node '" + node.name + "' (" + node.opType + ") reads the non-tensor value '" +
                               g_.value(id).name + "' in a body: sequences through control flow are not resolved");
        // A body reads outer values by name: an alias gets a copy that
        // carries the name.
        if (resolved(id) != id) {
            const ValueId named = copyAsOutput(resolved(id), g_.value(id).name);
            g_.value(named).isGraphOutput = false;
            aliases_[id] = named;
            id = named;
        }
    }
    for (const Attribute& a : node.attributes) {
        std::vector<const Graph*> bodies;
        if (a.graph) bodies.push_back(a.graph.get());
        for (const auto& body : a.graphs) bodies.push_back(body.get());
        for (const Graph* body : bodies)
            if (hasSequenceValues(*body))
                return unsupported("node '" + node.name + "' (" + node.opType + ") has a non-tensor value in its " +
                                   a.name + ": sequences and optionals through control flow are not resolved");
    }
    out_.push_back(std::move(node));
    return Status::ok();
}

ValueId Lowering::resolved(ValueId id) const {
    for (auto it = aliases_.find(id); it != aliases_.end(); it = aliases_.find(id)) id = it->second;
    return id;
}

const Held* Lowering::heldBy(ValueId id) const {
    auto it = held_.find(id);
    return it == held_.end() ? nullptr : &it->second;
}

void Lowering::retire(ValueId id) {
    Value& v = g_.value(id);
    v.isTensor = false;
    v.shapeResolved = false;
    v.constant.reset();
}

void Lowering::hold(ValueId id, Held held) {
    if (id == kNoValue) return;
    g_.value(id).kind = held.kind;
    retire(id);
    held_[id] = std::move(held);
}

void Lowering::alias(ValueId output, ValueId tensor) {
    if (output == kNoValue) return;
    retire(output);
    aliases_[output] = tensor;
}

ValueId Lowering::newTensor(const std::string& name) {
    Value v;
    v.name = name;
    while (g_.find(v.name) != kNoValue) v.name += "_";
    return g_.addValue(std::move(v));
}

ValueId Lowering::newWeight(const std::string& name, TensorData data) {
    const ValueId id = addWeight(g_, name, std::move(data));
    g_.value(id).fromConstantNode = false;
    return id;
}

void Lowering::emit(const Node& origin, const std::string& opType, std::vector<ValueId> inputs,
                    std::vector<ValueId> outputs, std::vector<Attribute> attributes) {
    Node node;
    node.name = origin.name + "/" + opType + "_" + std::to_string(emitted_++);
    node.opType = opType;
    node.inputs = std::move(inputs);
    node.outputs = std::move(outputs);
    node.attributes = std::move(attributes);
    out_.push_back(std::move(node));
}

}  // namespace sequences
}  // namespace interstage
