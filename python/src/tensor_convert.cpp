#include "tensor_convert.h"

#include <cstring>
#include <memory>
#include <vector>

#include "errors.h"

namespace interstage::python {
namespace {

namespace py = pybind11;

// numpy's dtype.num for each ONNX type numpy has (numpy/ndarraytypes.h's
// NPY_TYPES, matched by kind and size rather than by number so that the
// long / longlong pairs of a platform both map).
DataType dataTypeOf(const py::dtype& dtype) {
    const char kind = dtype.kind();
    const auto size = static_cast<std::size_t>(dtype.itemsize());
    if (kind == 'b' && size == 1) return DataType::Bool;
    if (kind == 'f' && size == 2) return DataType::Float16;
    if (kind == 'f' && size == 4) return DataType::Float;
    if (kind == 'f' && size == 8) return DataType::Double;
    if (kind == 'c' && size == 8) return DataType::Complex64;
    if (kind == 'c' && size == 16) return DataType::Complex128;
    if (kind == 'i' && size == 1) return DataType::Int8;
    if (kind == 'i' && size == 2) return DataType::Int16;
    if (kind == 'i' && size == 4) return DataType::Int32;
    if (kind == 'i' && size == 8) return DataType::Int64;
    if (kind == 'u' && size == 1) return DataType::UInt8;
    if (kind == 'u' && size == 2) return DataType::UInt16;
    if (kind == 'u' && size == 4) return DataType::UInt32;
    if (kind == 'u' && size == 8) return DataType::UInt64;
    return DataType::Undefined;
}

// The numpy dtype of an engine type ("float16", "int64", ...).
py::dtype dtypeOf(DataType type) {
    switch (type) {
        case DataType::Bool:
            return py::dtype("bool");
        case DataType::Float16:
            return py::dtype("float16");
        case DataType::Float:
            return py::dtype("float32");
        case DataType::Double:
            return py::dtype("float64");
        case DataType::Complex64:
            return py::dtype("complex64");
        case DataType::Complex128:
            return py::dtype("complex128");
        case DataType::Int8:
            return py::dtype("int8");
        case DataType::Int16:
            return py::dtype("int16");
        case DataType::Int32:
            return py::dtype("int32");
        case DataType::Int64:
            return py::dtype("int64");
        case DataType::UInt8:
            return py::dtype("uint8");
        case DataType::UInt16:
            return py::dtype("uint16");
        case DataType::UInt32:
            return py::dtype("uint32");
        case DataType::UInt64:
            return py::dtype("uint64");
        default:
            break;
    }
    return py::dtype("void");
}

// bfloat16 is the top half of a float32.
TensorData widenBFloat16(const TensorData& tensor) {
    TensorData wide = TensorData::zeros(DataType::Float, tensor.shape);
    const auto* halves = tensor.data<uint16_t>();
    auto* out = wide.data<float>();
    for (int64_t i = 0; i < tensor.elementCount(); ++i) {
        const uint32_t bits = uint32_t(halves[i]) << 16;
        std::memcpy(&out[i], &bits, sizeof bits);
    }
    return wide;
}

}  // namespace

TensorData tensorFromArray(const std::string& name, const py::handle& value) {
    // Lists and scalars become arrays; other arrays stay as they are unless
    // their layout must change.
    py::array array = py::array::ensure(value, py::array::c_style);
    if (!array) {
        PyErr_Clear();
        raiseStatus(invalidArgument("input '" + name + "' is not an array numpy can read"));
    }
    if (array.dtype().byteorder() == '>')
        array = py::array::ensure(array.attr("astype")(array.dtype().attr("newbyteorder")("=")), py::array::c_style);
    const DataType dtype = dataTypeOf(array.dtype());
    if (dtype == DataType::Undefined)
        raiseStatus(invalidArgument("input '" + name + "' has numpy dtype " +
                                    py::str(array.dtype()).cast<std::string>() +
                                    ", which no ONNX tensor type matches"));
    TensorData tensor;
    tensor.dtype = dtype;
    tensor.shape.assign(array.shape(), array.shape() + array.ndim());
    const auto* first = static_cast<const std::byte*>(array.data());
    tensor.bytes.assign(first, first + array.nbytes());
    return tensor;
}

py::array arrayFromTensor(const std::string& name, TensorData&& tensor) {
    if (tensor.dtype == DataType::BFloat16) tensor = widenBFloat16(tensor);
    const py::dtype dtype = dtypeOf(tensor.dtype);
    if (dtype.kind() == 'V')
        raiseStatus(
            unsupported("tensor '" + name + "' is " + dataTypeName(tensor.dtype) + ", which numpy cannot hold"));
    // The array's base owns the engine's tensor: the data is never copied.
    auto owned = std::make_unique<TensorData>(std::move(tensor));
    py::capsule base(owned.get(), [](void* p) { delete static_cast<TensorData*>(p); });
    const TensorData* data = owned.release();  // the capsule owns it now
    std::vector<py::ssize_t> shape(data->shape.begin(), data->shape.end());
    return py::array(dtype, shape, data->bytes.data(), base);
}

}  // namespace interstage::python
