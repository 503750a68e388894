// Tensors in files: the ONNX TensorProto .pb format of the ONNX test data,
// used for --input-file and --save-outputs.
#pragma once

#include <string>
#include <vector>

#include "interstage/graph.h"
#include "interstage/status.h"
#include "interstage/tensor.h"

namespace interstage {

struct NamedTensor {
    std::string name;  // the TensorProto's name (may be empty)
    TensorData data;
};

// Reads one serialized TensorProto. Errors name the file and the problem.
Result<NamedTensor> readTensorFile(const std::string& path);
// Reads the value file of a graph input or output declared `kind`: a
// TensorProto, or a SequenceProto / OptionalProto of tensors (the ONNX test
// data's), flattened as sessions take them (sequenceElementName): "name"
// for a tensor or a present optional tensor, "name[i]" per element of a
// sequence, nothing for an absent optional.
Result<std::vector<NamedTensor>> readValueFile(const std::string& path, const std::string& name, ValueKind kind);
// Writes data as a serialized TensorProto named `name` (raw_data).
Status writeTensorFile(const std::string& path, const std::string& name, const TensorData& data);

}  // namespace interstage
