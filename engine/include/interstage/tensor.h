// Host tensor data: weights read from a file, folded constants, test data.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "interstage/dtype.h"
#include "interstage/shape.h"

namespace interstage {

struct TensorData {
    DataType dtype = DataType::Undefined;
    Shape shape;
    std::vector<std::byte> bytes;      // elementCount * dataTypeSize; empty for strings
    std::vector<std::string> strings;  // only for DataType::String

    int64_t elementCount() const;
    std::size_t byteSize() const { return bytes.size(); }

    template <class T>
    const T* data() const {
        return reinterpret_cast<const T*>(bytes.data());
    }
    template <class T>
    T* data() {
        return reinterpret_cast<T*>(bytes.data());
    }

    // Element i converted to int64 / double whatever the numeric dtype is.
    int64_t intAt(int64_t i) const;
    double doubleAt(int64_t i) const;

    // Makes a tensor of the given dtype and shape with zeroed storage.
    static TensorData zeros(DataType dtype, Shape shape);
    static TensorData fromInt64(const std::vector<int64_t>& values, Shape shape);
    static TensorData fromFloat(const std::vector<float>& values, Shape shape);
};

}  // namespace interstage
