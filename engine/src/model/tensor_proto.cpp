// Decoding ONNX TensorProto payloads. A file may lie about anything (dims,
// type, sizes), so every count is checked against the declared shape before
// a byte is copied.
#include "model/tensor_proto.h"

#include <cstdlib>
#include <cstring>
#include <limits>

namespace interstage {
namespace {

std::string describe(const std::string& what, const Shape& shape, DataType dtype) {
    return what + " (" + shapeToString(shape) + " " + dataTypeName(dtype) + ")";
}

// Copies typed repeated-field values into little-endian element storage.
template <class Field, class Element>
void copyNarrowed(const Field& field, std::vector<std::byte>& out) {
    out.resize(static_cast<size_t>(field.size()) * sizeof(Element));
    auto* dst = reinterpret_cast<Element*>(out.data());
    for (int i = 0; i < field.size(); ++i) dst[i] = static_cast<Element>(field.Get(i));
}

Status decodeTypedFields(const onnx::TensorProto& proto, TensorData& t, int64_t count, const std::string& label) {
    auto mismatch = [&](int64_t held, const char* field) {
        return invalidModel(label + " declares " + std::to_string(count) + " elements but " + field + " holds " +
                            std::to_string(held));
    };
    switch (t.dtype) {
        case DataType::Float:
            if (proto.float_data_size() != count) return mismatch(proto.float_data_size(), "float_data");
            copyNarrowed<decltype(proto.float_data()), float>(proto.float_data(), t.bytes);
            return Status::ok();
        case DataType::Complex64:
            if (proto.float_data_size() != 2 * count) return mismatch(proto.float_data_size() / 2, "float_data");
            copyNarrowed<decltype(proto.float_data()), float>(proto.float_data(), t.bytes);
            return Status::ok();
        case DataType::Int64:
            if (proto.int64_data_size() != count) return mismatch(proto.int64_data_size(), "int64_data");
            copyNarrowed<decltype(proto.int64_data()), int64_t>(proto.int64_data(), t.bytes);
            return Status::ok();
        case DataType::Double:
            if (proto.double_data_size() != count) return mismatch(proto.double_data_size(), "double_data");
            copyNarrowed<decltype(proto.double_data()), double>(proto.double_data(), t.bytes);
            return Status::ok();
        case DataType::Complex128:
            if (proto.double_data_size() != 2 * count) return mismatch(proto.double_data_size() / 2, "double_data");
            copyNarrowed<decltype(proto.double_data()), double>(proto.double_data(), t.bytes);
            return Status::ok();
        case DataType::UInt32:
            if (proto.uint64_data_size() != count) return mismatch(proto.uint64_data_size(), "uint64_data");
            copyNarrowed<decltype(proto.uint64_data()), uint32_t>(proto.uint64_data(), t.bytes);
            return Status::ok();
        case DataType::UInt64:
            if (proto.uint64_data_size() != count) return mismatch(proto.uint64_data_size(), "uint64_data");
            copyNarrowed<decltype(proto.uint64_data()), uint64_t>(proto.uint64_data(), t.bytes);
            return Status::ok();
        case DataType::Int32:
            if (proto.int32_data_size() != count) return mismatch(proto.int32_data_size(), "int32_data");
            copyNarrowed<decltype(proto.int32_data()), int32_t>(proto.int32_data(), t.bytes);
            return Status::ok();
        case DataType::Int16:
        case DataType::UInt16:
        case DataType::Float16:
        case DataType::BFloat16:
            // 16-bit types travel as int32 holding the bit pattern.
            if (proto.int32_data_size() != count) return mismatch(proto.int32_data_size(), "int32_data");
            copyNarrowed<decltype(proto.int32_data()), uint16_t>(proto.int32_data(), t.bytes);
            return Status::ok();
        case DataType::Int8:
        case DataType::UInt8:
        case DataType::Bool:
            if (proto.int32_data_size() != count) return mismatch(proto.int32_data_size(), "int32_data");
            copyNarrowed<decltype(proto.int32_data()), uint8_t>(proto.int32_data(), t.bytes);
            return Status::ok();
        case DataType::String:
            if (proto.string_data_size() != count) return mismatch(proto.string_data_size(), "string_data");
            t.strings.assign(proto.string_data().begin(), proto.string_data().end());
            return Status::ok();
        case DataType::Undefined:
            break;
    }
    return invalidModel(label + " has no element type");
}

}  // namespace

Result<TensorData> decodeTensorHeader(const onnx::TensorProto& proto, const TensorDecodeContext& context,
                                      const std::string& what) {
    const LoadOptions defaults;
    const LoadOptions& options = context.options ? *context.options : defaults;
    if (!proto.has_data_type() || !isKnownDataType(proto.data_type()))
        return invalidModel(what + " has unknown element type " + std::to_string(proto.data_type()));

    TensorData t;
    t.dtype = static_cast<DataType>(proto.data_type());
    for (int64_t d : proto.dims()) {
        if (d < 0) return invalidModel(what + " has a negative dimension " + std::to_string(d));
        t.shape.push_back(d);
    }
    auto count = elementCount(t.shape);
    const std::string label = describe(what, t.shape, t.dtype);
    if (!count) return invalidModel(label + " has absurd dimensions (more than 2^40 elements)");
    const uint64_t expectedBytes = static_cast<uint64_t>(*count) * dataTypeSize(t.dtype);
    if (expectedBytes > options.maxTensorBytes)
        return invalidModel(label + " would take " + std::to_string(expectedBytes) + " bytes, more than the limit of " +
                            std::to_string(options.maxTensorBytes));
    return t;
}

bool usesExternalData(const onnx::TensorProto& proto) {
    return proto.has_data_location() && proto.data_location() == onnx::TensorProto::EXTERNAL;
}

std::string externalDataLocation(const onnx::TensorProto& proto) {
    for (const auto& entry : proto.external_data())
        if (entry.key() == "location") return entry.value();
    return {};
}

Result<TensorData> decodeTensor(const onnx::TensorProto& proto, const TensorDecodeContext& context,
                                const std::string& what) {
    auto header = decodeTensorHeader(proto, context, what);
    if (!header.ok()) return header.status();
    TensorData t = header.take();
    const auto count = elementCount(t.shape);
    const std::string label = describe(what, t.shape, t.dtype);
    const size_t elementSize = dataTypeSize(t.dtype);
    const uint64_t expectedBytes = static_cast<uint64_t>(*count) * elementSize;

    if (usesExternalData(proto)) {
        if (t.dtype == DataType::String) return invalidModel(label + ": string tensors cannot use external data");
        std::string location;
        uint64_t offset = 0, length = expectedBytes;
        bool hasLength = false;
        for (const auto& entry : proto.external_data()) {
            const std::string& key = entry.key();
            const std::string& val = entry.value();
            if (key == "location") {
                location = val;
            } else if (key == "offset" || key == "length") {
                char* stop = nullptr;
                unsigned long long n = std::strtoull(val.c_str(), &stop, 10);
                if (val.empty() || *stop != '\0' || val[0] == '-')
                    return invalidModel(label + ": external data " + key + " '" + val + "' is not a number");
                if (key == "offset")
                    offset = n;
                else {
                    length = n;
                    hasLength = true;
                }
            }
        }
        if (location.empty()) return invalidModel(label + " uses external data but names no location");
        if (hasLength && length != expectedBytes)
            return invalidModel(label + " needs " + std::to_string(expectedBytes) +
                                " bytes but its external data length is " + std::to_string(length));
        if (!context.externalRefusal.empty())
            return Status(StatusCode::OutOfMemory, label + " was not read: " + context.externalRefusal);
        auto bytes = readExternalData(context.directory, location, offset, expectedBytes, label);
        if (!bytes.ok()) return bytes.status();
        t.bytes = bytes.take();
        return t;
    }

    if (proto.has_raw_data()) {
        if (t.dtype == DataType::String) return invalidModel(label + ": string tensors cannot use raw_data");
        const std::string& raw = proto.raw_data();
        if (raw.size() != expectedBytes)
            return invalidModel(label + " needs " + std::to_string(expectedBytes) + " bytes but holds " +
                                std::to_string(raw.size()));
        t.bytes.resize(raw.size());
        if (!raw.empty()) std::memcpy(t.bytes.data(), raw.data(), raw.size());
        return t;
    }

    Status status = decodeTypedFields(proto, t, *count, label);
    if (!status.isOk()) return status;
    return t;
}

}  // namespace interstage
