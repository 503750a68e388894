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
    // Set when the external weights cannot fit the load's memory budget
    // (model/load_budget.h): every external tensor fails with it, unread.
    std::string externalRefusal;
};

// Decodes the tensor; `what` names it in errors ("initializer 'w'").
Result<TensorData> decodeTensor(const onnx::TensorProto& proto, const TensorDecodeContext& context,
                                const std::string& what);

// The dtype and shape only (data left empty), with the same checks.
Result<TensorData> decodeTensorHeader(const onnx::TensorProto& proto, const TensorDecodeContext& context,
                                      const std::string& what);
bool usesExternalData(const onnx::TensorProto& proto);
std::string externalDataLocation(const onnx::TensorProto& proto);  // "" when it names none

// Reads bytes [offset, offset+length) of an external data file named by
// `location`, refusing absolute paths, '..' and anything that resolves
// (symlinks included) outside `directory`.
Result<std::vector<std::byte>> readExternalData(const std::string& directory, const std::string& location,
                                                uint64_t offset, uint64_t length, const std::string& what);

}  // namespace interstage
