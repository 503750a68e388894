// TensorProto -> TensorData, with every size and path checked.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "interstage/model.h"
#include "interstage/tensor.h"

namespace interstage {

struct TensorDecodeContext {
    std::string directory;  // the model's folder: external data must stay inside it
    const LoadOptions* options = nullptr;
};

// Decodes the tensor; `what` names it in errors ("initializer 'w'").
Result<TensorData> decodeTensor(const onnx::TensorProto& proto, const TensorDecodeContext& context,
                                const std::string& what);

// Reads bytes [offset, offset+length) of an external data file named by
// `location`, refusing absolute paths, '..' and anything that resolves
// (symlinks included) outside `directory`.
Result<std::vector<std::byte>> readExternalData(const std::string& directory, const std::string& location,
                                                uint64_t offset, uint64_t length, const std::string& what);

}  // namespace interstage
