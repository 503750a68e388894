// GraphBuilder: assembles an onnx::ModelProto with the protobuf classes of
// libonnx, so every file it writes is real ONNX that other tools can open.

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <bit>
#include <fstream>
#include <unordered_set>
#include <utility>

#include "interstage/builder.h"

namespace interstage {

namespace {

// ONNX stores raw_data little-endian whatever the host is; swap each
// element (each component for complex types) on a big-endian host.
std::string littleEndianBytes(const TensorData& value) {
    std::string raw(reinterpret_cast<const char*>(value.bytes.data()), value.bytes.size());
    if constexpr (std::endian::native == std::endian::big) {
        size_t width = dataTypeSize(value.dtype);
        if (value.dtype == DataType::Complex64 || value.dtype == DataType::Complex128) width /= 2;
        if (width > 1) {
            for (size_t i = 0; i + width <= raw.size(); i += width)
                std::reverse(raw.begin() + i, raw.begin() + i + width);
        }
    }
    return raw;
}

void fillTensorProto(onnx::TensorProto* proto, const std::string& name, const TensorData& value) {
    if (!name.empty()) proto->set_name(name);  // attribute tensors are unnamed
    proto->set_data_type(static_cast<int32_t>(value.dtype));
    for (int64_t d : value.shape) proto->add_dims(d);
    if (value.dtype == DataType::String) {
        for (const auto& s : value.strings) proto->add_string_data(s);
    } else {
        proto->set_raw_data(littleEndianBytes(value));
    }
}

void fillAttributeProto(onnx::AttributeProto* proto, const Attribute& attr) {
    proto->set_name(attr.name);
    using Kind = Attribute::Kind;
    switch (attr.kind) {
        case Kind::Float:
            proto->set_type(onnx::AttributeProto::FLOAT);
            proto->set_f(attr.f);
            break;
        case Kind::Int:
            proto->set_type(onnx::AttributeProto::INT);
            proto->set_i(attr.i);
            break;
        case Kind::String:
            proto->set_type(onnx::AttributeProto::STRING);
            proto->set_s(attr.s);
            break;
        case Kind::Tensor:
            proto->set_type(onnx::AttributeProto::TENSOR);
            if (attr.tensor) fillTensorProto(proto->mutable_t(), {}, *attr.tensor);
            break;
        case Kind::Floats:
            proto->set_type(onnx::AttributeProto::FLOATS);
            for (float v : attr.floats) proto->add_floats(v);
            break;
        case Kind::Ints:
            proto->set_type(onnx::AttributeProto::INTS);
            for (int64_t v : attr.ints) proto->add_ints(v);
            break;
        case Kind::Strings:
            proto->set_type(onnx::AttributeProto::STRINGS);
            for (const auto& v : attr.strings) proto->add_strings(v);
            break;
        default:
            // Graph attributes come from GraphBuilder::subgraph(), which
            // has the body's protobuf; an Attribute alone writes the name.
            break;
    }
}

// Writes elem_type and, when given, the shape. Negative dims become
// symbolic (dim_param) or unknown.
void fillTensorType(onnx::ValueInfoProto* info, DataType dtype, const Shape& dims,
                    const std::vector<std::string>& dimNames, bool writeShape) {
    auto* tensorType = info->mutable_type()->mutable_tensor_type();
    tensorType->set_elem_type(static_cast<int32_t>(dtype));
    if (!writeShape) return;
    auto* shape = tensorType->mutable_shape();
    for (size_t i = 0; i < dims.size(); ++i) {
        auto* dim = shape->add_dim();
        if (dims[i] >= 0)
            dim->set_dim_value(dims[i]);
        else if (i < dimNames.size() && !dimNames[i].empty())
            dim->set_dim_param(dimNames[i]);
    }
}

}  // namespace

Attribute intAttr(const std::string& name, int64_t value) {
    Attribute a;
    a.name = name;
    a.kind = Attribute::Kind::Int;
    a.i = value;
    return a;
}

Attribute floatAttr(const std::string& name, float value) {
    Attribute a;
    a.name = name;
    a.kind = Attribute::Kind::Float;
    a.f = value;
    return a;
}

Attribute stringAttr(const std::string& name, const std::string& value) {
    Attribute a;
    a.name = name;
    a.kind = Attribute::Kind::String;
    a.s = value;
    return a;
}

Attribute intsAttr(const std::string& name, std::vector<int64_t> values) {
    Attribute a;
    a.name = name;
    a.kind = Attribute::Kind::Ints;
    a.ints = std::move(values);
    return a;
}

Attribute floatsAttr(const std::string& name, std::vector<float> values) {
    Attribute a;
    a.name = name;
    a.kind = Attribute::Kind::Floats;
    a.floats = std::move(values);
    return a;
}

Attribute stringsAttr(const std::string& name, std::vector<std::string> values) {
    Attribute a;
    a.name = name;
    a.kind = Attribute::Kind::Strings;
    a.strings = std::move(values);
    return a;
}

Attribute tensorAttr(const std::string& name, TensorData value) {
    Attribute a;
    a.name = name;
    a.kind = Attribute::Kind::Tensor;
    a.tensor = std::make_shared<const TensorData>(std::move(value));
    return a;
}

struct GraphBuilder::Impl {
    onnx::ModelProto model;
    onnx::GraphProto* graph = nullptr;
    int64_t weightElements = 0;
    int64_t autoNameCounter = 0;
    // Node and value names already used, so generated names never collide
    // with names the caller chose.
    std::unordered_set<std::string> usedNames;

    std::string freshNodeName(const std::string& opType) {
        std::string name;
        do {
            name = opType + "_" + std::to_string(autoNameCounter++);
        } while (usedNames.count(name) != 0);
        return name;
    }
};

GraphBuilder::GraphBuilder(std::string graphName, int64_t opset) : impl_(std::make_unique<Impl>()) {
    auto& model = impl_->model;
    model.set_ir_version(8);
    model.set_producer_name("interstage");
    auto* opsetId = model.add_opset_import();
    opsetId->set_domain("");
    opsetId->set_version(opset);
    impl_->graph = model.mutable_graph();
    impl_->graph->set_name(std::move(graphName));
}

GraphBuilder::~GraphBuilder() = default;
GraphBuilder::GraphBuilder(GraphBuilder&&) noexcept = default;
GraphBuilder& GraphBuilder::operator=(GraphBuilder&&) noexcept = default;

std::string GraphBuilder::input(const std::string& name, DataType dtype, const Shape& dims,
                                const std::vector<std::string>& dimNames) {
    auto* info = impl_->graph->add_input();
    info->set_name(name);
    // An input always gets a shape (empty = scalar): a runtime must know
    // what to feed.
    fillTensorType(info, dtype, dims, dimNames, true);
    impl_->usedNames.insert(name);
    return name;
}

std::string GraphBuilder::initializer(const std::string& name, const TensorData& value) {
    impl_->weightElements += value.elementCount();
    fillTensorProto(impl_->graph->add_initializer(), name, value);
    impl_->usedNames.insert(name);
    return name;
}

std::string GraphBuilder::constant(const std::string& name, TensorData value) {
    impl_->weightElements += value.elementCount();
    return op("Constant", {}, {tensorAttr("value", std::move(value))}, name);
}

std::vector<std::string> GraphBuilder::node(const std::string& opType, const std::vector<std::string>& inputs,
                                            const std::vector<Attribute>& attributes, int outputCount,
                                            const std::string& nodeName) {
    const std::string name = nodeName.empty() ? impl_->freshNodeName(opType) : nodeName;
    impl_->usedNames.insert(name);

    auto* proto = impl_->graph->add_node();
    proto->set_name(name);
    proto->set_op_type(opType);
    // Omitted optional inputs stay as "" in the list, as ONNX writes them.
    for (const auto& in : inputs) proto->add_input(in);

    std::vector<std::string> outputs;
    if (outputCount == 1) {
        outputs.push_back(name);
    } else {
        for (int i = 0; i < outputCount; ++i) outputs.push_back(name + "_out" + std::to_string(i));
    }
    for (const auto& out : outputs) {
        proto->add_output(out);
        impl_->usedNames.insert(out);
    }
    for (const auto& attr : attributes) fillAttributeProto(proto->add_attribute(), attr);
    return outputs;
}

std::string GraphBuilder::op(const std::string& opType, const std::vector<std::string>& inputs,
                             const std::vector<Attribute>& attributes, const std::string& nodeName) {
    return node(opType, inputs, attributes, 1, nodeName).front();
}

void GraphBuilder::output(const std::string& name, DataType dtype, const Shape& dims) {
    auto* info = impl_->graph->add_output();
    info->set_name(name);
    if (dtype == DataType::Undefined && dims.empty()) return;
    // Empty dims mean "shape not declared" here (unknown rank), not a
    // scalar: writing a rank-0 shape would contradict most real outputs.
    fillTensorType(info, dtype, dims, {}, !dims.empty());
}

bool GraphBuilder::subgraph(const std::string& nodeName, const std::string& attrName, const GraphBuilder& body) {
    for (auto& node : *impl_->graph->mutable_node()) {
        if (node.name() != nodeName) continue;
        auto* attr = node.add_attribute();
        attr->set_name(attrName);
        attr->set_type(onnx::AttributeProto::GRAPH);
        *attr->mutable_g() = body.impl_->model.graph();
        impl_->weightElements += body.impl_->weightElements;
        return true;
    }
    return false;
}

bool GraphBuilder::setDomain(const std::string& nodeName, const std::string& domain) {
    for (auto& node : *impl_->graph->mutable_node()) {
        if (node.name() != nodeName) continue;
        node.set_domain(domain);
        return true;
    }
    return false;
}

void GraphBuilder::importDomain(const std::string& domain, int64_t version) {
    auto* opsetId = impl_->model.add_opset_import();
    opsetId->set_domain(domain);
    opsetId->set_version(version);
}

int64_t GraphBuilder::weightElementCount() const { return impl_->weightElements; }

std::string GraphBuilder::serialize() const {
    std::string bytes;
    // ModelProto has no map fields, so serialization is byte-for-byte
    // deterministic for the same model.
    impl_->model.SerializeToString(&bytes);
    return bytes;
}

Status GraphBuilder::save(const std::string& path) const {
    const std::string bytes = serialize();
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) return {StatusCode::IoError, "cannot open '" + path + "' for writing"};
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    file.close();
    if (!file) return {StatusCode::IoError, "failed writing '" + path + "'"};
    return Status::ok();
}

// splitmix64 over the LCG-seeded state: a fixed, platform-independent
// sequence (no std:: distributions, whose output differs between libraries).
float WeightGenerator::next(float scale) {
    state_ += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    // 24 random bits -> u in [0, 1) exactly representable in float; 2u - 1
    // and the one multiply below are exact / correctly rounded everywhere.
    const float u = static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
    return (2.0f * u - 1.0f) * scale;
}

std::vector<float> WeightGenerator::uniform(int64_t count, float scale) {
    std::vector<float> values(static_cast<size_t>(std::max<int64_t>(count, 0)));
    for (auto& v : values) v = next(scale);
    return values;
}

}  // namespace interstage
