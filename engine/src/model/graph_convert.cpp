// Builds the Graph IR from a GraphProto in execution order, checking that
// names are unique, every input exists, and declared types are sane.
#include "model/graph_convert.h"

#include <algorithm>
#include <set>

#include "model/graph_order.h"

namespace interstage {
namespace {

Status applyTensorType(const onnx::TypeProto_Tensor& tensorType, const onnx::ValueInfoProto& info, Value& value,
                       const std::string& what);

// The tensor a sequence or optional type holds; nullptr for anything else
// (maps, sparse tensors, sequences of sequences).
const onnx::TypeProto_Tensor* heldTensorType(const onnx::TypeProto& type, ValueKind& kind) {
    if (type.has_sequence_type() && type.sequence_type().elem_type().has_tensor_type()) {
        kind = ValueKind::Sequence;
        return &type.sequence_type().elem_type().tensor_type();
    }
    if (!type.has_optional_type()) return nullptr;
    const auto& held = type.optional_type().elem_type();
    if (held.has_tensor_type()) {
        kind = ValueKind::Optional;
        return &held.tensor_type();
    }
    if (held.has_sequence_type() && held.sequence_type().elem_type().has_tensor_type()) {
        kind = ValueKind::OptionalSequence;
        return &held.sequence_type().elem_type().tensor_type();
    }
    return nullptr;
}

Status applyDeclaredType(const onnx::ValueInfoProto& info, Value& value, const std::string& what) {
    if (!info.has_type()) return Status::ok();
    const auto& type = info.type();
    if (!type.has_tensor_type()) {
        value.isTensor = type.value_case() == onnx::TypeProto::VALUE_NOT_SET;
        if (value.isTensor) return Status::ok();
        value.kind = ValueKind::Other;
        const onnx::TypeProto_Tensor* held = heldTensorType(type, value.kind);
        return held ? applyTensorType(*held, info, value, what) : Status::ok();
    }
    return applyTensorType(type.tensor_type(), info, value, what);
}

Status applyTensorType(const onnx::TypeProto_Tensor& tensorType, const onnx::ValueInfoProto& info, Value& value,
                       const std::string& what) {
    if (tensorType.has_elem_type() && tensorType.elem_type() != 0) {
        if (!isKnownDataType(tensorType.elem_type()))
            return invalidModel(what + " '" + info.name() + "' has unknown element type " +
                                std::to_string(tensorType.elem_type()));
        if (value.dtype == DataType::Undefined) value.dtype = static_cast<DataType>(tensorType.elem_type());
    }
    if (!tensorType.has_shape()) return Status::ok();
    SymbolicShape shape;
    for (const auto& dim : tensorType.shape().dim()) {
        Dim d;
        if (dim.has_dim_value()) {
            if (dim.dim_value() < 0)
                return invalidModel(what + " '" + info.name() + "' has a negative dimension " +
                                    std::to_string(dim.dim_value()));
            if (dim.dim_value() > kMaxElements)
                return invalidModel(what + " '" + info.name() + "' has an absurd dimension " +
                                    std::to_string(dim.dim_value()));
            d.value = dim.dim_value();
        } else if (dim.has_dim_param()) {
            d.param = dim.dim_param();
        }
        shape.push_back(std::move(d));
    }
    if (std::all_of(shape.begin(), shape.end(), [](const Dim& d) { return d.isStatic(); })) {
        Shape dims;
        for (const Dim& d : shape) dims.push_back(d.value);
        if (!elementCount(dims))
            return invalidModel(what + " '" + info.name() + "' is declared " + shapeToString(dims) +
                                ": more than 2^40 elements");
    }
    value.declaredShape = std::move(shape);
    value.hasDeclaredShape = true;
    return Status::ok();
}

Attribute::Kind kindOf(onnx::AttributeProto::AttributeType type) {
    switch (type) {
        case onnx::AttributeProto::FLOAT:
            return Attribute::Kind::Float;
        case onnx::AttributeProto::INT:
            return Attribute::Kind::Int;
        case onnx::AttributeProto::STRING:
            return Attribute::Kind::String;
        case onnx::AttributeProto::TENSOR:
            return Attribute::Kind::Tensor;
        case onnx::AttributeProto::GRAPH:
            return Attribute::Kind::Graph;
        case onnx::AttributeProto::FLOATS:
            return Attribute::Kind::Floats;
        case onnx::AttributeProto::INTS:
            return Attribute::Kind::Ints;
        case onnx::AttributeProto::STRINGS:
            return Attribute::Kind::Strings;
        case onnx::AttributeProto::TENSORS:
            return Attribute::Kind::Tensors;
        case onnx::AttributeProto::GRAPHS:
            return Attribute::Kind::Graphs;
        default:
            return Attribute::Kind::Other;
    }
}

// The value a Constant node produces, when its attribute is one we decode.
Result<std::shared_ptr<const TensorData>> constantValue(const Node& node) {
    for (const auto& a : node.attributes) {
        if (a.name == "value" && a.tensor) return a.tensor;
        if (a.name == "value_float" && a.kind == Attribute::Kind::Float)
            return std::make_shared<const TensorData>(TensorData::fromFloat({a.f}, {}));
        if (a.name == "value_floats" && a.kind == Attribute::Kind::Floats)
            return std::make_shared<const TensorData>(
                TensorData::fromFloat(a.floats, {static_cast<int64_t>(a.floats.size())}));
        if (a.name == "value_int" && a.kind == Attribute::Kind::Int)
            return std::make_shared<const TensorData>(TensorData::fromInt64({a.i}, {}));
        if (a.name == "value_ints" && a.kind == Attribute::Kind::Ints)
            return std::make_shared<const TensorData>(
                TensorData::fromInt64(a.ints, {static_cast<int64_t>(a.ints.size())}));
        if (a.name == "value_string" && a.kind == Attribute::Kind::String) {
            TensorData t = TensorData::zeros(DataType::String, {});
            t.strings = {a.s};
            return std::make_shared<const TensorData>(std::move(t));
        }
        if (a.name == "value_strings" && a.kind == Attribute::Kind::Strings) {
            TensorData t = TensorData::zeros(DataType::String, {static_cast<int64_t>(a.strings.size())});
            t.strings = a.strings;
            return std::make_shared<const TensorData>(std::move(t));
        }
    }
    return std::shared_ptr<const TensorData>();  // sparse_value or none: resolved later or refused then
}

}  // namespace

Result<Attribute> convertAttribute(const onnx::AttributeProto& proto, const TensorDecodeContext& context,
                                   const std::string& owner) {
    Attribute a;
    a.name = proto.name();
    a.kind = kindOf(proto.type());
    // Old files leave `type` unset; infer it from the field that is filled.
    if (!proto.has_type() || proto.type() == onnx::AttributeProto::UNDEFINED) {
        if (proto.has_t())
            a.kind = Attribute::Kind::Tensor;
        else if (proto.has_g())
            a.kind = Attribute::Kind::Graph;
        else if (proto.has_s())
            a.kind = Attribute::Kind::String;
        else if (proto.has_i())
            a.kind = Attribute::Kind::Int;
        else if (proto.has_f())
            a.kind = Attribute::Kind::Float;
        else if (proto.ints_size())
            a.kind = Attribute::Kind::Ints;
        else if (proto.floats_size())
            a.kind = Attribute::Kind::Floats;
        else if (proto.strings_size())
            a.kind = Attribute::Kind::Strings;
    }
    a.f = proto.f();
    a.i = proto.i();
    a.s = proto.s();
    a.floats.assign(proto.floats().begin(), proto.floats().end());
    a.ints.assign(proto.ints().begin(), proto.ints().end());
    a.strings.assign(proto.strings().begin(), proto.strings().end());
    if (a.kind == Attribute::Kind::Tensor && proto.has_t()) {
        auto tensor = decodeTensor(proto.t(), context, owner + " attribute '" + a.name + "'");
        if (!tensor.ok()) return tensor.status();
        a.tensor = std::make_shared<const TensorData>(tensor.take());
    }
    return a;
}

namespace {

// The graphs enclosing the one being converted, innermost first: the
// values a subgraph may read from outside.
struct Scope {
    const Graph* graph = nullptr;
    const Scope* outer = nullptr;
    int depth = 0;  // 0: the main graph
    const std::map<std::string, int64_t>* opsets = nullptr;

    bool defines(const std::string& name) const {
        for (const Scope* s = this; s; s = s->outer)
            if (s->graph->find(name) != kNoValue) return true;
        return false;
    }
};

Result<Graph> convertScoped(const onnx::GraphProto& proto, const TensorDecodeContext& context, const Scope& scope,
                            const std::set<std::string>& outerNames);

// A body of node `owner`: the values it reads from enclosing graphs must
// exist there (the main graph's order check names a missing one first;
// this holds for bodies inside bodies too).
Result<std::shared_ptr<const Graph>> convertBody(const onnx::GraphProto& proto, const TensorDecodeContext& context,
                                                 const Scope& enclosing, const std::string& owner) {
    if (enclosing.depth + 1 > kMaxSubgraphDepth)
        return invalidModel(owner + ": subgraphs nest more than " + std::to_string(kMaxSubgraphDepth) +
                            " levels deep, beyond the engine's limit");
    std::set<std::string> outerNames;
    collectOuterReferences(proto, outerNames);
    for (const auto& name : outerNames)
        if (!enclosing.defines(name))
            return invalidModel(owner + ": its subgraph '" + proto.name() + "' reads '" + name +
                                "', which no enclosing graph defines");
    Scope inner{nullptr, &enclosing, enclosing.depth + 1, enclosing.opsets};
    auto body = convertScoped(proto, context, inner, outerNames);
    // An error that already names its node (from a body deeper down) is
    // passed on as it is: one prefix per level would bury it.
    if (!body.ok() && body.status().message().rfind("node '", 0) == 0) return body.status();
    if (!body.ok())
        return Status(body.status().code(), owner + ", subgraph '" + proto.name() + "': " + body.status().message());
    return std::make_shared<const Graph>(body.take());
}

Status addInitializers(Graph& graph, const onnx::GraphProto& proto, const TensorDecodeContext& context) {
    for (const auto& init : proto.initializer()) {
        if (init.name().empty()) return invalidModel("an initializer has no name");
        if (graph.find(init.name()) != kNoValue)
            return invalidModel("initializer '" + init.name() + "' is declared twice");
        const std::string what = "initializer '" + init.name() + "'";
        auto tensor = decodeTensor(init, context, what);
        std::string unreadable;
        if (!tensor.ok()) {
            // Inspection of a model whose weights were not downloaded: the
            // structure and shapes are still known from the header.
            const bool optional = context.options && context.options->weightsOptional && usesExternalData(init);
            auto header = optional ? decodeTensorHeader(init, context, what) : tensor.status();
            if (!header.ok()) return header.status();
            unreadable = tensor.status().message();
            tensor = header.take();
        }
        Value v;
        v.name = init.name();
        v.isInitializer = true;
        v.dtype = tensor->dtype;
        v.shape = tensor->shape;
        v.shapeResolved = true;
        const std::size_t declaredBytes =
            static_cast<std::size_t>(tensor->elementCount()) * dataTypeSize(tensor->dtype);
        if (unreadable.empty()) v.constant = std::make_shared<const TensorData>(tensor.take());
        const ValueId id = graph.addValue(std::move(v));
        if (!unreadable.empty())
            graph.unloadedWeights.push_back({id, externalDataLocation(init), declaredBytes, unreadable});
    }
    return Status::ok();
}

Status addInputs(Graph& graph, const onnx::GraphProto& proto) {
    for (const auto& input : proto.input()) {
        if (input.name().empty()) return invalidModel("a graph input has no name");
        ValueId id = graph.find(input.name());
        if (id != kNoValue && !graph.value(id).isInitializer)
            return invalidModel("graph input '" + input.name() + "' is declared twice");
        if (id != kNoValue && graph.value(id).isGraphInput)
            return invalidModel("graph input '" + input.name() + "' is declared twice");
        if (id == kNoValue) {
            Value v;
            v.name = input.name();
            id = graph.addValue(std::move(v));
        }
        Value& v = graph.value(id);
        v.isGraphInput = true;
        IS_RETURN_IF_ERROR(applyDeclaredType(input, v, "graph input"));
        graph.inputs.push_back(id);
    }

    return Status::ok();
}

// One node, in execution order: its inputs (and the outer values its
// subgraphs read), attributes and outputs; a Constant node's value is
// known at once.
Status addNode(Graph& graph, const onnx::NodeProto& np, int fileIndex, const std::vector<std::string>& implicitInputs,
               const TensorDecodeContext& context, const Scope& scope,
               std::unordered_map<std::string, int>& nodeNames) {
    Node node;
    node.opType = np.op_type();
    node.domain = np.domain() == "ai.onnx" ? "" : np.domain();
    if (node.opType.empty()) return invalidModel("node " + std::to_string(fileIndex) + " has no op type");
    node.name = np.name().empty() ? node.opType + "_" + std::to_string(fileIndex) : np.name();
    // Names should be unique; when a file repeats one, keep nodes apart.
    int& seen = nodeNames[node.name];
    if (seen++ > 0) node.name += "#" + std::to_string(seen);
    const auto nodeId = static_cast<NodeId>(graph.nodes.size());

    for (const auto& input : np.input()) {
        if (input.empty()) {
            node.inputs.push_back(kNoValue);
            continue;
        }
        ValueId id = graph.find(input);  // orderNodes() proved it exists and comes first
        if (id == kNoValue) return Status(StatusCode::Internal, "input '" + input + "' vanished");
        node.inputs.push_back(id);
        graph.value(id).consumers.push_back(nodeId);
    }
    for (const auto& name : implicitInputs) {
        ValueId id = graph.find(name);
        if (id == kNoValue) continue;
        node.implicitInputs.push_back(id);
        graph.value(id).consumers.push_back(nodeId);
    }
    for (const auto& ap : np.attribute()) {
        const std::string owner = "node '" + node.name + "' (" + node.opType + ")";
        auto attr = convertAttribute(ap, context, "node '" + node.name + "'");
        if (!attr.ok()) return attr.status();
        if (attr->kind == Attribute::Kind::Graph || attr->kind == Attribute::Kind::Graphs) node.hasSubgraph = true;
        if (attr->kind == Attribute::Kind::Graph && ap.has_g()) {
            IS_ASSIGN_OR_RETURN(attr->graph, convertBody(ap.g(), context, scope, owner));
        }
        if (attr->kind == Attribute::Kind::Graphs)
            for (const auto& g : ap.graphs()) {
                IS_ASSIGN_OR_RETURN(auto body, convertBody(g, context, scope, owner));
                attr->graphs.push_back(std::move(body));
            }
        node.attributes.push_back(attr.take());
    }
    for (const auto& output : np.output()) {
        if (output.empty()) {
            node.outputs.push_back(kNoValue);
            continue;
        }
        Value v;
        v.name = output;
        v.producer = nodeId;
        v.fromConstantNode = node.opType == "Constant" && node.domain.empty();
        node.outputs.push_back(graph.addValue(std::move(v)));
    }
    if (node.opType == "Constant" && node.domain.empty() && !node.outputs.empty() && node.outputs[0] != kNoValue) {
        auto value = constantValue(node);
        if (!value.ok()) return value.status();
        if (auto tensor = value.take()) {
            Value& out = graph.value(node.outputs[0]);
            out.dtype = tensor->dtype;
            out.shape = tensor->shape;
            out.shapeResolved = true;
            out.constant = std::move(tensor);
        }
    }
    graph.nodes.push_back(std::move(node));
    return Status::ok();
}

Status addOutputs(Graph& graph, const onnx::GraphProto& proto) {
    for (const auto& info : proto.value_info()) {
        ValueId id = graph.find(info.name());
        if (id == kNoValue) continue;  // annotations of values that do not exist are harmless
        IS_RETURN_IF_ERROR(applyDeclaredType(info, graph.value(id), "value"));
    }
    for (const auto& output : proto.output()) {
        ValueId id = graph.find(output.name());
        if (id == kNoValue)
            return invalidModel("graph output '" + output.name() + "' is not produced by any node or input");
        Value& v = graph.value(id);
        if (v.isGraphOutput) continue;  // listed twice: one output is enough
        v.isGraphOutput = true;
        IS_RETURN_IF_ERROR(applyDeclaredType(output, v, "graph output"));
        graph.outputs.push_back(id);
    }
    return Status::ok();
}

}  // namespace

namespace {

Result<Graph> convertScoped(const onnx::GraphProto& proto, const TensorDecodeContext& context, const Scope& scope,
                            const std::set<std::string>& outerNames) {
    const LoadOptions defaults;
    const LoadOptions& options = context.options ? *context.options : defaults;
    if (proto.node_size() > options.maxNodes)
        return invalidModel("the graph has " + std::to_string(proto.node_size()) + " nodes, more than the limit of " +
                            std::to_string(options.maxNodes));
    // Nameless inputs and initializers first: otherwise the first node that
    // reads them reports a missing value instead.
    for (const auto& init : proto.initializer())
        if (init.name().empty()) return invalidModel("an initializer has no name");
    for (const auto& input : proto.input())
        if (input.name().empty()) return invalidModel("a graph input has no name");
    auto order = orderNodes(proto, outerNames);
    if (!order.ok()) return order.status();

    Graph graph;
    graph.name = proto.name();
    if (scope.opsets) graph.opsets = *scope.opsets;
    Scope here = scope;
    here.graph = &graph;
    IS_RETURN_IF_ERROR(addInitializers(graph, proto, context));
    if (proto.sparse_initializer_size() > 0)
        return unsupported("sparse initializers (first: '" + proto.sparse_initializer(0).values().name() +
                           "') are not supported");
    IS_RETURN_IF_ERROR(addInputs(graph, proto));
    // What a body reads from enclosing graphs becomes a value of its own,
    // bound to the enclosing value whenever the body is resolved or run.
    for (const auto& name : outerNames) {
        if (graph.find(name) != kNoValue) continue;
        Value v;
        v.name = name;
        v.fromOuterScope = true;
        graph.addValue(std::move(v));
    }
    std::unordered_map<std::string, int> nodeNames;
    for (int fileIndex : order->order)
        IS_RETURN_IF_ERROR(addNode(graph, proto.node(fileIndex), fileIndex,
                                   order->implicit[static_cast<size_t>(fileIndex)], context, here, nodeNames));
    IS_RETURN_IF_ERROR(addOutputs(graph, proto));
    if (graph.outputs.empty()) return invalidModel("the graph has no outputs: there is nothing to compute");
    return graph;
}

}  // namespace

Result<Graph> convertGraph(const onnx::GraphProto& proto, const TensorDecodeContext& context,
                           const std::map<std::string, int64_t>& opsets) {
    Scope top{nullptr, nullptr, 0, &opsets};
    return convertScoped(proto, context, top, {});
}

}  // namespace interstage
