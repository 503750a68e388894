#include "interstage/tensor_io.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/tensor_proto.h"

namespace interstage {

Result<NamedTensor> readTensorFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(StatusCode::NotFound, "cannot open tensor file '" + path + "'");
    std::stringstream bytes;
    bytes << in.rdbuf();
    onnx::TensorProto proto;
    if (!proto.ParseFromString(bytes.str()))
        return invalidArgument("'" + path + "' is not a serialized ONNX TensorProto");
    std::string directory = std::filesystem::path(path).parent_path().string();
    TensorDecodeContext context{directory.empty() ? "." : directory, nullptr, ""};
    auto data = decodeTensor(proto, context, "tensor file '" + path + "'");
    if (!data.ok()) return data.status();
    return NamedTensor{proto.name(), data.take()};
}

Status writeTensorFile(const std::string& path, const std::string& name, const TensorData& data) {
    onnx::TensorProto proto;
    proto.set_name(name);
    proto.set_data_type(static_cast<int32_t>(data.dtype));
    for (int64_t d : data.shape) proto.add_dims(d);
    if (data.dtype == DataType::String) {
        for (const auto& s : data.strings) proto.add_string_data(s);
    } else {
        proto.set_raw_data(reinterpret_cast<const char*>(data.bytes.data()), data.bytes.size());
    }
    std::ofstream out(path, std::ios::binary);
    if (!out || !proto.SerializeToOstream(&out))
        return Status(StatusCode::IoError, "cannot write tensor file '" + path + "'");
    return Status::ok();
}

}  // namespace interstage
