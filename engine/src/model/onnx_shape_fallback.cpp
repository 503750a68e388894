#include "model/onnx_shape_fallback.h"

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include "model/onnx_source.h"

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

}  // namespace

std::map<std::string, InferredType> inferWithOnnx(const Graph& graph) {
    std::map<std::string, InferredType> result;
    if (!graph.source) return result;
    onnx::ModelProto model = graph.source->model;
    auto* g = model.mutable_graph();
    g->clear_value_info();
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
    try {
        onnx::ShapeInferenceOptions options(false, 0, true);
        onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
    } catch (...) {
        // ONNX reports inconsistencies by throwing; the caller then names
        // the node it could not resolve, which is the useful message.
        return result;
    }
    auto take = [&](const onnx::ValueInfoProto& info) {
        InferredType t;
        if (readStatic(info.type(), t)) result[info.name()] = std::move(t);
    };
    for (const auto& info : g->value_info()) take(info);
    for (const auto& info : g->output()) take(info);
    return result;
}

}  // namespace interstage
