// Element types, numbered as ONNX's TensorProto.DataType so files map 1:1.
#pragma once

#include <cstddef>
#include <cstdint>

namespace interstage {

enum class DataType : int32_t {
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    UInt32 = 12,
    UInt64 = 13,
    Complex64 = 14,
    Complex128 = 15,
    BFloat16 = 16,
};

// Bytes per element; 0 for Undefined and String (no fixed size).
std::size_t dataTypeSize(DataType type);
// "float32", "int64", ... as users read them.
const char* dataTypeName(DataType type);
// True for the numbers ONNX defines (1..16); false for anything a file invents.
bool isKnownDataType(int32_t onnxType);
bool isFloatingType(DataType type);
bool isIntegerType(DataType type);

}  // namespace interstage
