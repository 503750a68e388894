// Helpers shared by the shape rule files (see fold_util.h).
#include "model/fold_util.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/half_float.h"

namespace interstage::shapes::fold {

namespace {

using interstage::bfloatToFloat;
using interstage::floatToBfloat;
using interstage::floatToHalf;
using interstage::halfToFloat;

}  // namespace

bool isConsistent(const TensorData& t) {
    auto count = elementCount(t.shape);
    if (!count) return false;
    if (t.dtype == DataType::String) return t.strings.size() == static_cast<size_t>(*count);
    size_t size = dataTypeSize(t.dtype);
    if (size == 0) return false;
    return t.bytes.size() == static_cast<size_t>(*count) * size;
}

bool checkedAdd(int64_t a, int64_t b, int64_t& out) { return !__builtin_add_overflow(a, b, &out); }
bool checkedMul(int64_t a, int64_t b, int64_t& out) { return !__builtin_mul_overflow(a, b, &out); }

Status checkArity(const ShapeContext& c, size_t required, size_t maxInputs, size_t maxOutputs) {
    if (c.inputCount() > maxInputs)
        return c.fail("has " + std::to_string(c.inputCount()) + " inputs, at most " + std::to_string(maxInputs) +
                      " expected");
    for (size_t i = 0; i < required; ++i)
        if (!c.hasInput(i)) return c.fail("required input " + std::to_string(i) + " is missing");
    if (c.outputCount() > maxOutputs)
        return c.fail("has " + std::to_string(c.outputCount()) + " outputs, at most " + std::to_string(maxOutputs) +
                      " expected");
    return Status::ok();
}

Status checkShape(const ShapeContext& c, const Shape& shape, const char* what) {
    for (int64_t d : shape)
        if (d < 0) return c.fail(std::string(what) + " shape " + shapeToString(shape) + " has a negative dimension");
    if (!elementCount(shape))
        return c.fail(std::string(what) + " shape " + shapeToString(shape) + " is absurd (more than 2^40 elements)");
    return Status::ok();
}

Status setChecked(ShapeContext& c, size_t i, DataType dtype, Shape shape) {
    IS_RETURN_IF_ERROR(checkShape(c, shape, "output"));
    c.setOutput(i, dtype, std::move(shape));
    return Status::ok();
}

const TensorData* knownValue(const ShapeContext& c, size_t i) {
    const TensorData* t = c.inputValue(i);
    if (!t || !isConsistent(*t) || t->shape != c.inputShape(i)) return nullptr;
    return t;
}

bool allKnown(const ShapeContext& c) {
    for (size_t i = 0; i < c.inputCount(); ++i)
        if (c.hasInput(i) && !knownValue(c, i)) return false;
    return true;
}

bool fitsFold(const ShapeContext& c, const Shape& shape) {
    auto count = elementCount(shape);
    return count && *count <= c.options().maxFoldElements;
}

Status runtimeInput(const ShapeContext& c, size_t i, const std::string& role) {
    return c.fail("the " + role + " input '" + c.input(i).name +
                  "' is computed at run time and cannot be resolved before running");
}

Status readInts(const ShapeContext& c, size_t i, const std::string& role, std::vector<int64_t>& out) {
    if (!c.hasInput(i)) return c.fail("the " + role + " input is missing");
    const TensorData* t = knownValue(c, i);
    if (!t) return runtimeInput(c, i, role);
    if (!isIntegerType(t->dtype) || t->dtype == DataType::Bool)
        return c.fail("the " + role + " input '" + c.input(i).name + "' must hold integers, not " +
                      dataTypeName(t->dtype));
    if (t->shape.size() > 1)
        return c.fail("the " + role + " input '" + c.input(i).name + "' must be 1-D, not " + shapeToString(t->shape));
    int64_t n = t->elementCount();
    out.resize(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) out[static_cast<size_t>(k)] = readInt(*t, k);
    return Status::ok();
}

Status readDoubles(const ShapeContext& c, size_t i, const std::string& role, std::vector<double>& out) {
    if (!c.hasInput(i)) return c.fail("the " + role + " input is missing");
    const TensorData* t = knownValue(c, i);
    if (!t) return runtimeInput(c, i, role);
    if (!isFoldableType(t->dtype))
        return c.fail("the " + role + " input '" + c.input(i).name + "' must be numeric, not " +
                      dataTypeName(t->dtype));
    if (t->shape.size() > 1)
        return c.fail("the " + role + " input '" + c.input(i).name + "' must be 1-D, not " + shapeToString(t->shape));
    int64_t n = t->elementCount();
    out.resize(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) out[static_cast<size_t>(k)] = readDouble(*t, k);
    return Status::ok();
}

bool isFoldableType(DataType type) {
    switch (type) {
        case DataType::Float:
        case DataType::Double:
        case DataType::Float16:
        case DataType::BFloat16:
        case DataType::UInt8:
        case DataType::Int8:
        case DataType::UInt16:
        case DataType::Int16:
        case DataType::Int32:
        case DataType::Int64:
        case DataType::UInt32:
        case DataType::UInt64:
        case DataType::Bool:
            return true;
        default:
            return false;
    }
}

bool isMovableType(DataType type) { return type == DataType::String || dataTypeSize(type) > 0; }

int64_t toInt64(double v) {
    if (std::isnan(v)) return 0;
    // 2^63 is exactly representable; anything at or beyond it saturates.
    if (v >= 9223372036854775808.0) return std::numeric_limits<int64_t>::max();
    if (v <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(v);
}

double readDouble(const TensorData& t, int64_t i) {
    switch (t.dtype) {
        case DataType::Float:
            return t.data<float>()[i];
        case DataType::Double:
            return t.data<double>()[i];
        case DataType::Float16:
            return halfToFloat(t.data<uint16_t>()[i]);
        case DataType::BFloat16:
            return bfloatToFloat(t.data<uint16_t>()[i]);
        case DataType::UInt64:
            return static_cast<double>(t.data<uint64_t>()[i]);
        default:
            return static_cast<double>(readInt(t, i));
    }
}

int64_t readInt(const TensorData& t, int64_t i) {
    switch (t.dtype) {
        case DataType::Int64:
            return t.data<int64_t>()[i];
        case DataType::Int32:
            return t.data<int32_t>()[i];
        case DataType::Int16:
            return t.data<int16_t>()[i];
        case DataType::Int8:
            return t.data<int8_t>()[i];
        case DataType::UInt8:
            return t.data<uint8_t>()[i];
        case DataType::UInt16:
            return t.data<uint16_t>()[i];
        case DataType::UInt32:
            return t.data<uint32_t>()[i];
        case DataType::UInt64:
            return static_cast<int64_t>(t.data<uint64_t>()[i]);
        case DataType::Bool:
            return t.data<uint8_t>()[i] ? 1 : 0;
        case DataType::Float:
        case DataType::Double:
        case DataType::Float16:
        case DataType::BFloat16:
            return toInt64(readDouble(t, i));
        default:
            return 0;
    }
}

void writeInt(TensorData& t, int64_t i, int64_t v) {
    // Narrowing conversions wrap modulo 2^n (defined since C++20), which is
    // what a cast between integer types does at run time too.
    switch (t.dtype) {
        case DataType::Int64:
            t.data<int64_t>()[i] = v;
            break;
        case DataType::Int32:
            t.data<int32_t>()[i] = static_cast<int32_t>(v);
            break;
        case DataType::Int16:
            t.data<int16_t>()[i] = static_cast<int16_t>(v);
            break;
        case DataType::Int8:
            t.data<int8_t>()[i] = static_cast<int8_t>(v);
            break;
        case DataType::UInt8:
            t.data<uint8_t>()[i] = static_cast<uint8_t>(v);
            break;
        case DataType::UInt16:
            t.data<uint16_t>()[i] = static_cast<uint16_t>(v);
            break;
        case DataType::UInt32:
            t.data<uint32_t>()[i] = static_cast<uint32_t>(v);
            break;
        case DataType::UInt64:
            t.data<uint64_t>()[i] = static_cast<uint64_t>(v);
            break;
        case DataType::Bool:
            t.data<uint8_t>()[i] = v != 0 ? 1 : 0;
            break;
        case DataType::Float:
        case DataType::Double:
        case DataType::Float16:
        case DataType::BFloat16:
            writeDouble(t, i, static_cast<double>(v));
            break;
        default:
            break;
    }
}

void writeDouble(TensorData& t, int64_t i, double v) {
    switch (t.dtype) {
        case DataType::Float:
            t.data<float>()[i] = static_cast<float>(v);
            break;
        case DataType::Double:
            t.data<double>()[i] = v;
            break;
        case DataType::Float16:
            t.data<uint16_t>()[i] = floatToHalf(static_cast<float>(v));
            break;
        case DataType::BFloat16:
            t.data<uint16_t>()[i] = floatToBfloat(static_cast<float>(v));
            break;
        case DataType::Bool:
            t.data<uint8_t>()[i] = v != 0 ? 1 : 0;
            break;
        default:
            writeInt(t, i, toInt64(v));
            break;
    }
}

Shape stridesOf(const Shape& shape) {
    Shape strides(shape.size(), 1);
    // A shape with a zero dim holds nothing, yet its other dims may be
    // absurd (a hostile file): saturate instead of overflowing.
    for (size_t k = shape.size(); k-- > 1;)
        if (__builtin_mul_overflow(strides[k], shape[k], &strides[k - 1])) strides[k - 1] = INT64_MAX;
    return strides;
}

std::vector<int64_t> broadcastIndex(const Shape& in, const Shape& out) {
    auto count = elementCount(out);
    if (!count || in.size() > out.size()) return {};
    size_t offset = out.size() - in.size();
    Shape inStrides = stridesOf(in);
    // Stride of each output axis into `in`: 0 where `in` broadcasts.
    Shape step(out.size(), 0);
    for (size_t k = 0; k < in.size(); ++k) step[offset + k] = in[k] == 1 ? 0 : inStrides[k];
    std::vector<int64_t> index(static_cast<size_t>(*count));
    Shape counter(out.size(), 0);
    int64_t pos = 0;
    for (int64_t n = 0; n < *count; ++n) {
        index[static_cast<size_t>(n)] = pos;
        // Odometer increment over the output shape.
        for (size_t k = out.size(); k-- > 0;) {
            if (++counter[k] < out[k]) {
                pos += step[k];
                break;
            }
            pos -= step[k] * (out[k] - 1);
            counter[k] = 0;
        }
    }
    return index;
}

std::vector<int64_t> stridedIndex(const Shape& out, int64_t base, const Shape& step) {
    auto count = elementCount(out);
    if (!count || step.size() != out.size()) return {};
    std::vector<int64_t> index(static_cast<size_t>(*count));
    Shape counter(out.size(), 0);
    int64_t pos = base;
    for (int64_t n = 0; n < *count; ++n) {
        index[static_cast<size_t>(n)] = pos;
        for (size_t k = out.size(); k-- > 0;) {
            if (++counter[k] < out[k]) {
                pos += step[k];
                break;
            }
            pos -= step[k] * (out[k] - 1);
            counter[k] = 0;
        }
    }
    return index;
}

bool takeElements(const TensorData& src, Shape shape, const std::vector<int64_t>& index, TensorData& out) {
    auto count = elementCount(shape);
    if (!count || static_cast<size_t>(*count) != index.size() || !isMovableType(src.dtype)) return false;
    int64_t srcCount = src.elementCount();
    for (int64_t k : index)
        if (k < 0 || k >= srcCount) return false;
    out = TensorData::zeros(src.dtype, std::move(shape));
    if (src.dtype == DataType::String) {
        for (size_t k = 0; k < index.size(); ++k) out.strings[k] = src.strings[static_cast<size_t>(index[k])];
    } else {
        size_t size = dataTypeSize(src.dtype);
        for (size_t k = 0; k < index.size(); ++k)
            std::memcpy(out.bytes.data() + k * size, src.bytes.data() + static_cast<size_t>(index[k]) * size, size);
    }
    return true;
}

TensorData reshaped(const TensorData& src, Shape shape) {
    TensorData out = src;
    out.shape = std::move(shape);
    return out;
}

}  // namespace interstage::shapes::fold
