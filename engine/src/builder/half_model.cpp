#include "half_model.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <set>
#include <vector>

#include "core/half_float.h"

namespace interstage::zoo {

namespace {

using onnx::TensorProto;

uint16_t narrow(float value, DataType half) {
    return half == DataType::BFloat16 ? floatToBfloat(value) : floatToHalf(value);
}

int32_t protoType(DataType half) { return half == DataType::BFloat16 ? TensorProto::BFLOAT16 : TensorProto::FLOAT16; }

// A float tensor's values as raw little-endian halves.
void narrowTensor(TensorProto& tensor, DataType half) {
    if (tensor.data_type() != TensorProto::FLOAT) return;
    std::vector<float> values(tensor.float_data().begin(), tensor.float_data().end());
    if (values.empty() && !tensor.raw_data().empty()) {
        values.resize(tensor.raw_data().size() / sizeof(float));
        std::memcpy(values.data(), tensor.raw_data().data(), values.size() * sizeof(float));
    }
    std::string raw(values.size() * sizeof(uint16_t), '\0');
    for (size_t i = 0; i < values.size(); ++i) {
        const uint16_t bits = narrow(values[i], half);
        std::memcpy(raw.data() + i * sizeof bits, &bits, sizeof bits);
    }
    tensor.clear_float_data();
    tensor.set_raw_data(raw);
    tensor.set_data_type(protoType(half));
}

void narrowValueInfo(onnx::ValueInfoProto& info, DataType half) {
    if (!info.type().has_tensor_type()) return;
    auto* tensor = info.mutable_type()->mutable_tensor_type();
    if (tensor->elem_type() == TensorProto::FLOAT) tensor->set_elem_type(protoType(half));
}

// The names Resize reads as roi or scales: float whatever X is.
std::set<std::string> floatOnlyInputs(const onnx::GraphProto& graph) {
    std::set<std::string> names;
    for (const auto& node : graph.node())
        if (node.op_type() == "Resize")
            for (int i = 1; i <= 2 && i < node.input_size(); ++i) names.insert(node.input(i));
    return names;
}

}  // namespace

Result<std::string> convertToHalf(const std::string& serializedModel, DataType half) {
    if (half != DataType::Float16 && half != DataType::BFloat16)
        return Status(StatusCode::InvalidArgument, "convertToHalf: float16 or bfloat16 only");
    onnx::ModelProto model;
    if (!model.ParseFromString(serializedModel)) return Status(StatusCode::InvalidArgument, "model does not parse");
    onnx::GraphProto& graph = *model.mutable_graph();
    const std::set<std::string> keepFloat = floatOnlyInputs(graph);
    for (auto& init : *graph.mutable_initializer())
        if (!keepFloat.count(init.name())) narrowTensor(init, half);
    for (auto& node : *graph.mutable_node()) {
        for (auto& attr : *node.mutable_attribute()) {
            if (node.op_type() == "Constant" && attr.has_t() && !keepFloat.count(node.output(0)))
                narrowTensor(*attr.mutable_t(), half);
            if (node.op_type() == "Cast" && attr.name() == "to" && attr.i() == TensorProto::FLOAT)
                attr.set_i(protoType(half));
        }
    }
    for (auto& info : *graph.mutable_input())
        if (!keepFloat.count(info.name())) narrowValueInfo(info, half);
    for (auto& info : *graph.mutable_output()) narrowValueInfo(info, half);
    for (auto& info : *graph.mutable_value_info())
        if (!keepFloat.count(info.name())) narrowValueInfo(info, half);
    return model.SerializeAsString();
}

}  // namespace interstage::zoo
