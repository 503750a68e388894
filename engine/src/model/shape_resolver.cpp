// resolveShapes(): concrete input shapes in, every value's shape out, node
// by node in execution order with the engine's own rules (which also fold
// shape tensors), falling back to ONNX's inference for ops without a rule.
#include <algorithm>

#include "interstage/model.h"
#include "model/input_dims.h"
#include "model/onnx_checks.h"
#include "model/onnx_shape_fallback.h"
#include "model/shape_pass.h"
#include "model/shape_rules.h"
#include "ops/op_table.h"

namespace interstage {
namespace {

std::string inputList(const Graph& graph) {
    std::string names;
    for (ValueId id : graph.runtimeInputs()) names += (names.empty() ? "" : ", ") + graph.value(id).name;
    return names.empty() ? "none" : names;
}

Status resolveInput(Value& v, const InputShapes& given, const std::map<std::string, int64_t>& symbols,
                    const ShapeOptions& options, ShapeReport& report) {
    if (!v.isTensor) return unsupported("graph input '" + v.name + "' is not a tensor");
    if (v.dtype == DataType::Undefined) return invalidModel("graph input '" + v.name + "' declares no element type");
    auto it = given.find(v.name);
    if (it != given.end()) {
        const Shape& shape = it->second;
        if (!elementCount(shape))
            return invalidArgument("input '" + v.name + "' shape " + shapeToString(shape) + " is absurd");
        if (v.hasDeclaredShape) {
            if (shape.size() != v.declaredShape.size())
                return invalidArgument("input '" + v.name + "' is declared " + shapeToString(v.declaredShape) +
                                       " (rank " + std::to_string(v.declaredShape.size()) + "), but " +
                                       shapeToString(shape) + " has rank " + std::to_string(shape.size()));
            for (size_t i = 0; i < shape.size() && !options.allowOtherDims; ++i)
                if (v.declaredShape[i].isStatic() && v.declaredShape[i].value != shape[i])
                    return invalidArgument("input '" + v.name + "' is declared " + shapeToString(v.declaredShape) +
                                           "; dim " + std::to_string(i) + " must be " +
                                           std::to_string(v.declaredShape[i].value) + ", not " +
                                           std::to_string(shape[i]) + ", unless other dims are allowed")
                        .offering({Remedy::AllowOtherDims});
        }
        v.shape = shape;
        v.shapeResolved = true;
        return Status::ok();
    }
    if (!v.hasDeclaredShape)
        return invalidArgument("input '" + v.name + "' declares no shape; give it one")
            .offering({Remedy::SetInputShape});
    Shape shape;
    bool defaulted = false;
    for (size_t i = 0; i < v.declaredShape.size(); ++i) {
        const Dim& d = v.declaredShape[i];
        if (d.isStatic())
            shape.push_back(d.value);
        else if (auto symbol = symbols.find(d.param); !d.param.empty() && symbol != symbols.end()) {
            shape.push_back(symbol->second);
            defaulted = true;
        } else {
            shape.push_back(i == 0 ? options.defaultBatch : options.defaultDim);
            defaulted = true;
        }
    }
    if (defaulted)
        report.defaultedInputs.push_back(v.name + ": " + shapeToString(shape) + " (declared " +
                                         shapeToString(v.declaredShape) + "; set the input's shape to change it)");
    v.shape = std::move(shape);
    v.shapeResolved = true;
    return Status::ok();
}

Status checkOutputs(const Graph& graph, const Node& node) {
    for (ValueId id : node.outputs) {
        if (id == kNoValue) continue;
        const Value& v = graph.value(id);
        if (!v.shapeResolved) continue;
        auto count = elementCount(v.shape);
        if (!count)
            return shapeError("node '" + node.name + "' (" + node.opType + ") gives output '" + v.name +
                              "' the absurd shape " + shapeToString(v.shape));
    }
    return Status::ok();
}

// An op with no engine rule must at least be one ONNX defines, or nothing
// can give its output a shape: say so plainly, naming op, domain and node.
Status checkOpKnown(const Graph& graph, const Node& node) {
    auto it = graph.opsets.find(node.domain);
    const int64_t opset = it == graph.opsets.end() ? 0 : it->second;
    if (onnxDefinesOp(node.opType, node.domain, opset)) return Status::ok();
    if (node.domain.empty())
        return unsupported("node '" + node.name + "' uses op '" + node.opType + "', which neither ONNX (opset " +
                           std::to_string(opset) + ") nor this engine defines");
    return unsupported("node '" + node.name + "' uses op '" + node.opType + "' of domain '" + node.domain + "'" +
                       (it == graph.opsets.end() ? " (not in the model's opset imports)" : "") +
                       ", which neither ONNX nor this engine defines");
}

// A node of a domain the model does not import is malformed, even when the
// engine knows the op: the opset import is what says which version of the
// domain's ops the file means.
Status checkDomainImported(const Graph& graph, const Node& node) {
    if (node.domain.empty() || graph.opsets.count(node.domain)) return Status::ok();
    return invalidModel("node '" + node.name + "' uses op '" + node.opType + "' of domain '" + node.domain +
                        "', which the model's opset imports do not name");
}

// Resolves node by node; ONNX's inference is run lazily and re-run only
// when it has not seen a node's outputs yet.
class ShapePass {
public:
    ShapePass(Graph& graph, const ShapeOptions& options) : graph_(graph), options_(options) {}

    // Gives the node's outputs shapes, or says why it cannot.
    Status resolveNode(const Node& node) {
        const bool done = std::all_of(node.outputs.begin(), node.outputs.end(),
                                      [&](ValueId id) { return id == kNoValue || graph_.value(id).shapeResolved; });
        if (done && node.opType == "Constant") return Status::ok();
        const ValueId missing = firstInputWithoutShape(node);

        IS_RETURN_IF_ERROR(checkDomainImported(graph_, node));
        const ops::OpEntry* op = ops::findOp(node);
        const shapes::ShapeRule rule = op ? op->shape : nullptr;
        if (rule && missing == kNoValue) {
            shapes::ShapeContext context(graph_, node, options_, &notes_);
            IS_RETURN_IF_ERROR(rule(context));
        } else {
            if (!rule) IS_RETURN_IF_ERROR(checkOpKnown(graph_, node));
            applyOnnxInference(node);
        }
        for (ValueId id : node.outputs) {
            if (id == kNoValue) continue;
            const Value& v = graph_.value(id);
            if (v.shapeResolved || !v.isTensor) continue;
            std::string why = missing != kNoValue ? "input '" + graph_.value(missing).name + "' has no shape"
                                                  : "the engine has no shape rule for " + node.opType +
                                                        (node.domain.empty() ? "" : " (domain " + node.domain + ")") +
                                                        " and ONNX's inference gives no static shape";
            return shapeError("cannot resolve the shape of '" + v.name + "' from node '" + node.name + "' (" +
                              node.opType + "): " + why);
        }
        return checkOutputs(graph_, node);
    }

    // keepGoing: the node's outputs are left without shapes (a partial or
    // absurd result must not mislead what follows) and listed with why.
    void recordUnresolved(NodeId nodeId, const Status& why, ShapeReport& report) {
        const Node& node = graph_.nodes[static_cast<size_t>(nodeId)];
        const bool rootCause = firstInputWithoutShape(node) == kNoValue;
        for (ValueId id : node.outputs) {
            if (id == kNoValue || !graph_.value(id).isTensor) continue;
            Value& v = graph_.value(id);
            v.shapeResolved = false;
            v.shape.clear();
            v.constant.reset();
            report.unresolved.push_back({id, nodeId, why.message(), rootCause});
        }
    }

    std::vector<std::string> takeNotes() { return std::move(notes_); }

private:
    ValueId firstInputWithoutShape(const Node& node) const {
        for (ValueId id : node.inputs)
            if (id != kNoValue && (!graph_.value(id).shapeResolved || !graph_.value(id).isTensor)) return id;
        return kNoValue;
    }

    void applyOnnxInference(const Node& node) {
        auto known = [&](ValueId id) { return id == kNoValue || onnxTypes_.count(graph_.value(id).name); };
        if (!onnxRan_ || !std::all_of(node.outputs.begin(), node.outputs.end(), known)) {
            onnxTypes_ = inferWithOnnx(graph_);
            onnxRan_ = true;
        }
        for (ValueId id : node.outputs) {
            if (id == kNoValue) continue;
            Value& v = graph_.value(id);
            if (!v.isTensor) continue;
            auto it = onnxTypes_.find(v.name);
            if (it != onnxTypes_.end()) {
                v.dtype = it->second.dtype;
                v.shape = it->second.shape;
                v.shapeResolved = true;
            }
        }
    }

    Graph& graph_;
    const ShapeOptions& options_;
    std::map<std::string, InferredType> onnxTypes_;
    bool onnxRan_ = false;
    std::vector<std::string> notes_;
};

}  // namespace

Status resolveNodeShapes(Graph& graph, const ShapeOptions& options, ShapeReport& report) {
    ShapePass pass(graph, options);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
        Status resolved = pass.resolveNode(graph.nodes[i]);
        if (resolved.isOk()) continue;
        if (!options.keepGoing) return resolved;
        pass.recordUnresolved(static_cast<NodeId>(i), resolved, report);
    }
    report.notes = pass.takeNotes();
    return Status::ok();
}

Result<ShapeReport> resolveShapes(Graph& graph, const InputShapes& givenShapes, const ShapeOptions& options,
                                  const InputValues* values) {
    ShapeReport report;
    InputShapes inputShapes = givenShapes;
    if (values)
        for (const auto& [name, value] : *values) {
            ValueId id = graph.find(name);
            if (id == kNoValue || !graph.value(id).isGraphInput || graph.value(id).isInitializer)
                return invalidArgument("the model has no input named '" + name + "' (inputs: " + inputList(graph) +
                                       ")");
            if (graph.value(id).dtype != value.dtype)
                return invalidArgument(std::string("input '") + name + "' is " + dataTypeName(graph.value(id).dtype) +
                                       ", but the value given is " + dataTypeName(value.dtype));
            auto it = inputShapes.find(name);
            if (it == inputShapes.end())
                inputShapes[name] = value.shape;
            else if (it->second != value.shape)
                return invalidArgument("input '" + name + "': shape " + shapeToString(it->second) +
                                       " differs from its value's shape " + shapeToString(value.shape));
        }
    for (const auto& [name, shape] : inputShapes) {
        ValueId id = graph.find(name);
        if (id == kNoValue || !graph.value(id).isGraphInput || graph.value(id).isInitializer)
            return invalidArgument("the model has no input named '" + name + "' (inputs: " + inputList(graph) + ")");
    }
    // Start over: a second call with other input sizes must not see the
    // shapes or folded values of the first.
    for (Value& v : graph.values) {
        if (v.isWeight()) continue;
        v.shapeResolved = false;
        v.shape.clear();
        v.constant.reset();
    }
    const auto symbols = symbolSizes(graph, inputShapes, options);
    for (ValueId id : graph.runtimeInputs()) {
        Value& input = graph.value(id);
        IS_RETURN_IF_ERROR(resolveInput(input, inputShapes, symbols, options, report));
        if (!values) continue;
        auto it = values->find(input.name);
        if (it != values->end() && it->second.elementCount() <= options.maxInputValueElements)
            input.constant = std::make_shared<const TensorData>(it->second);
    }

    IS_RETURN_IF_ERROR(resolveNodeShapes(graph, options, report));
    // Values past the fold limit were lent to the rules only: dropping them
    // keeps a copy of a big input from living, unaccounted, in the graph.
    for (ValueId id : graph.runtimeInputs()) {
        Value& input = graph.value(id);
        if (input.constant && input.constant->elementCount() > options.maxFoldElements) input.constant.reset();
    }
    for (const Value& v : graph.values)
        if (v.constant && !v.isWeight()) ++report.foldedValues;
    return report;
}

Result<std::pair<std::string, Shape>> parseInputSpec(const std::string& spec) {
    auto eq = spec.rfind('=');
    if (eq == std::string::npos || eq == 0)
        return invalidArgument("input spec '" + spec + "' must look like NAME=DIMS, e.g. x=1x3x640x640");
    auto shape = parseShape(spec.substr(eq + 1));
    if (!shape.ok()) return Status(shape.status().code(), "input spec '" + spec + "': " + shape.status().message());
    return std::make_pair(spec.substr(0, eq), shape.take());
}

}  // namespace interstage
