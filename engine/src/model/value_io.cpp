// readValueFile(): the value files of the ONNX test data, sequences and
// optionals included, flattened into the named tensors a session takes.
#include <onnx/onnx-data_pb.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "interstage/tensor_io.h"
#include "model/tensor_proto.h"

namespace interstage {
namespace {

Status appendSequence(const onnx::SequenceProto& sequence, const std::string& name, const TensorDecodeContext& context,
                      std::vector<NamedTensor>& out) {
    if (sequence.sequence_values_size() > 0 || sequence.map_values_size() > 0 || sequence.optional_values_size() > 0 ||
        sequence.sparse_tensor_values_size() > 0)
        return unsupported("non-tensor: the sequence '" + name + "' holds other than dense tensors");
    for (int i = 0; i < sequence.tensor_values_size(); ++i) {
        const std::string element = sequenceElementName(name, static_cast<size_t>(i));
        IS_ASSIGN_OR_RETURN(TensorData data, decodeTensor(sequence.tensor_values(i), context, "element " + element));
        out.push_back({element, std::move(data)});
    }
    return Status::ok();
}

}  // namespace

Result<std::vector<NamedTensor>> readValueFile(const std::string& path, const std::string& name, ValueKind kind) {
    std::vector<NamedTensor> out;
    if (kind == ValueKind::Tensor) {
        IS_ASSIGN_OR_RETURN(NamedTensor tensor, readTensorFile(path));
        out.push_back({name, std::move(tensor.data)});
        return out;
    }
    if (kind == ValueKind::Other)
        return unsupported("non-tensor: '" + name + "' is neither a sequence nor an optional");
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(StatusCode::NotFound, "cannot open value file '" + path + "'");
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string directory = std::filesystem::path(path).parent_path().string();
    const TensorDecodeContext context{directory.empty() ? "." : directory, nullptr, ""};
    if (kind == ValueKind::Sequence) {
        onnx::SequenceProto sequence;
        if (!sequence.ParseFromString(bytes.str()))
            return invalidArgument("'" + path + "' is not a serialized ONNX SequenceProto");
        IS_RETURN_IF_ERROR(appendSequence(sequence, name, context, out));
        return out;
    }
    onnx::OptionalProto optional;
    if (!optional.ParseFromString(bytes.str()))
        return invalidArgument("'" + path + "' is not a serialized ONNX OptionalProto");
    if (optional.has_tensor_value()) {
        IS_ASSIGN_OR_RETURN(TensorData data, decodeTensor(optional.tensor_value(), context, "optional " + name));
        out.push_back({name, std::move(data)});
    } else if (optional.has_sequence_value()) {
        IS_RETURN_IF_ERROR(appendSequence(optional.sequence_value(), name, context, out));
    } else if (optional.has_map_value() || optional.has_optional_value() || optional.has_sparse_tensor_value()) {
        return unsupported("non-tensor: the optional '" + name + "' holds other than a tensor or a sequence");
    }
    return out;
}

}  // namespace interstage
