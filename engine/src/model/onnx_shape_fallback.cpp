#include "model/onnx_shape_fallback.h"

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include "model/crash_sandbox.h"
#include "model/onnx_source.h"
#include "model/shape_rules.h"
#include "ops/op_table.h"

namespace interstage {
namespace {

void writeType(onnx::TypeProto* type, const Value& value) {
    auto* tensor = type->mutable_tensor_type();
    tensor->set_elem_type(static_cast<int32_t>(value.dtype));
    auto* shape = tensor->mutable_shape();
    shape->clear_dim();
    for (int64_t d : value.shape) shape->add_dim()->set_dim_value(d);
}

bool readStatic(const onnx::TypeProto& type, InferredType& out) {
    if (!type.has_tensor_type()) return false;
    const auto& tensor = type.tensor_type();
    if (!tensor.has_shape() || !isKnownDataType(tensor.elem_type())) return false;
    out.dtype = static_cast<DataType>(tensor.elem_type());
    out.shape.clear();
    for (const auto& dim : tensor.shape().dim()) {
        if (!dim.has_dim_value() || dim.dim_value() < 0) return false;
        out.shape.push_back(dim.dim_value());
    }
    return true;
}

using OpsetVersions = std::map<std::string, int64_t>;

// Generous: inference on the biggest real models takes well under a second.
constexpr int kInferenceTimeoutMs = 30000;

bool schemaAccepts(const onnx::NodeProto& node, const OpsetVersions& opsets) {
    const std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
    auto version = opsets.find(domain);
    if (version == opsets.end()) return false;
    const onnx::OpSchema* schema =
        onnx::OpSchemaRegistry::Schema(node.op_type(), static_cast<int>(version->second), domain);
    if (!schema) return true;  // ONNX skips nodes it has no schema for
    try {
        schema->Verify(node);
    } catch (...) {
        return false;
    }
    for (const auto& attribute : node.attribute())
        if (attribute.has_g() || attribute.graphs_size() > 0) return false;
    return true;
}

// The nodes ONNX may see (see the header).
void keepOnlyNodesNeedingOnnx(onnx::GraphProto* graph, const OpsetVersions& opsets) {
    google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
    for (auto& node : *graph->mutable_node()) {
        const ops::OpEntry* op = ops::findOp(node.domain(), node.op_type());
        if (op && op->shape) continue;
        if (schemaAccepts(node, opsets)) *kept.Add() = std::move(node);
    }
    graph->mutable_node()->Swap(&kept);
}

}  // namespace

std::map<std::string, InferredType> inferWithOnnx(const Graph& graph) {
    std::map<std::string, InferredType> result;
    if (!graph.source) return result;
    onnx::ModelProto model = graph.source->model;
    auto* g = model.mutable_graph();
    g->clear_value_info();
    OpsetVersions opsets;
    for (const auto& opset : model.opset_import())
        opsets[opset.domain() == "ai.onnx" ? "" : opset.domain()] = opset.version();
    keepOnlyNodesNeedingOnnx(g, opsets);
    if (g->node_size() == 0) return result;
    for (auto& input : *g->mutable_input()) {
        ValueId id = graph.find(input.name());
        if (id != kNoValue && graph.value(id).shapeResolved && graph.value(id).isTensor)
            writeType(input.mutable_type(), graph.value(id));
    }
    for (const Value& v : graph.values) {
        if (v.isGraphInput || v.isInitializer || !v.shapeResolved || !v.isTensor) continue;
        auto* info = g->add_value_info();
        info->set_name(v.name);
        writeType(info->mutable_type(), v);
    }
    // The registry is built once in this process, not in every child.
    const auto* registry = onnx::OpSchemaRegistry::Instance();
    auto inferred = runInCrashSandbox(
        [&] {
            try {
                onnx::ShapeInferenceOptions options(false, 0, true);
                onnx::shape_inference::InferShapes(model, registry, options);
            } catch (...) {
                // ONNX reports inconsistencies by throwing; the caller then
                // names the node it could not resolve, the useful message.
                return std::string();
            }
            onnx::GraphProto types;
            *types.mutable_value_info() = g->value_info();
            *types.mutable_output() = g->output();
            return types.SerializeAsString();
        },
        kInferenceTimeoutMs);
    onnx::GraphProto types;
    if (!inferred || inferred->empty() || !types.ParseFromString(*inferred)) return result;
    auto take = [&](const onnx::ValueInfoProto& info) {
        InferredType t;
        if (readStatic(info.type(), t)) result[info.name()] = std::move(t);
    };
    for (const auto& info : types.value_info()) take(info);
    for (const auto& info : types.output()) take(info);
    return result;
}

}  // namespace interstage
