// Tensors in files: the ONNX TensorProto .pb format of the ONNX test data,
// used for --input-file and --save-outputs.
#pragma once

#include <string>

#include "interstage/status.h"
#include "interstage/tensor.h"

namespace interstage {

struct NamedTensor {
    std::string name;  // the TensorProto's name (may be empty)
    TensorData data;
};

// Reads one serialized TensorProto. Errors name the file and the problem.
Result<NamedTensor> readTensorFile(const std::string& path);
// Writes data as a serialized TensorProto named `name` (raw_data).
Status writeTensorFile(const std::string& path, const std::string& name, const TensorData& data);

}  // namespace interstage
