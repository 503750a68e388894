#include "interstage/input_values.h"

#include <cerrno>
#include <cstdlib>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/half_float.h"

namespace interstage {
namespace {

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::vector<std::string> splitValues(const std::string& text) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (true) {
        const size_t comma = text.find(',', pos);
        parts.push_back(trimmed(text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos)));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return parts;
}

Status notA(const std::string& name, const std::string& part, DataType dtype) {
    const std::string wanted = dtype == DataType::Bool ? "a bool (0, 1, true or false)"
                               : isFloatingType(dtype) ? "a number"
                                                       : "a whole number";
    return invalidArgument("input '" + name + "' (" + dataTypeName(dtype) + "): '" + part + "' is not " + wanted);
}

template <class T>
Status storeInteger(const std::string& name, const std::string& part, DataType dtype, TensorData& t, int64_t i) {
    char* stop = nullptr;
    errno = 0;
    bool fits;
    if constexpr (std::is_unsigned_v<T>) {
        if (part.find('-') != std::string::npos) return notA(name, part, dtype);
        const unsigned long long v = std::strtoull(part.c_str(), &stop, 10);
        fits = errno != ERANGE && v <= std::numeric_limits<T>::max();
        t.data<T>()[i] = static_cast<T>(v);
    } else {
        const long long v = std::strtoll(part.c_str(), &stop, 10);
        fits = errno != ERANGE && v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max();
        t.data<T>()[i] = static_cast<T>(v);
    }
    if (part.empty() || *stop != '\0') return notA(name, part, dtype);
    if (!fits) return invalidArgument("input '" + name + "': " + part + " does not fit in " + dataTypeName(dtype));
    return Status::ok();
}

Status storeValue(const std::string& name, const std::string& part, DataType dtype, TensorData& t, int64_t i) {
    switch (dtype) {
        case DataType::Int64:
            return storeInteger<int64_t>(name, part, dtype, t, i);
        case DataType::Int32:
            return storeInteger<int32_t>(name, part, dtype, t, i);
        case DataType::Int16:
            return storeInteger<int16_t>(name, part, dtype, t, i);
        case DataType::Int8:
            return storeInteger<int8_t>(name, part, dtype, t, i);
        case DataType::UInt64:
            return storeInteger<uint64_t>(name, part, dtype, t, i);
        case DataType::UInt32:
            return storeInteger<uint32_t>(name, part, dtype, t, i);
        case DataType::UInt16:
            return storeInteger<uint16_t>(name, part, dtype, t, i);
        case DataType::UInt8:
            return storeInteger<uint8_t>(name, part, dtype, t, i);
        case DataType::Bool: {
            if (part == "1" || part == "true")
                t.data<uint8_t>()[i] = 1;
            else if (part == "0" || part == "false")
                t.data<uint8_t>()[i] = 0;
            else
                return notA(name, part, dtype);
            return Status::ok();
        }
        case DataType::Float:
        case DataType::Double:
        case DataType::Float16:
        case DataType::BFloat16: {
            char* stop = nullptr;
            const double v = std::strtod(part.c_str(), &stop);
            if (part.empty() || *stop != '\0') return notA(name, part, dtype);
            if (dtype == DataType::Double)
                t.data<double>()[i] = v;
            else if (dtype == DataType::Float)
                t.data<float>()[i] = static_cast<float>(v);
            else if (dtype == DataType::Float16)
                t.data<uint16_t>()[i] = floatToHalf(static_cast<float>(v));
            else
                t.data<uint16_t>()[i] = floatToBfloat(static_cast<float>(v));
            return Status::ok();
        }
        default:
            return invalidArgument("input '" + name + "' is " + dataTypeName(dtype) +
                                   "; values can be given for numbers and bools only");
    }
}

}  // namespace

Result<TensorData> parseInputValues(const std::string& name, DataType dtype, const Shape& shape,
                                    const std::string& text) {
    const std::vector<std::string> parts = splitValues(text);
    if (parts.size() == 1 && parts[0].empty()) return invalidArgument("input '" + name + "': no values given");
    const auto count = elementCount(shape);
    if (!count || *count != static_cast<int64_t>(parts.size()))
        return invalidArgument("input '" + name + "' of shape " + shapeToString(shape) + " takes " +
                               (!count        ? std::string("too many values")
                                : *count == 1 ? std::string("1 value")
                                              : std::to_string(*count) + " values") +
                               ", not " + std::to_string(parts.size()));
    TensorData t = TensorData::zeros(dtype, shape);
    if (dtype == DataType::String || dtype == DataType::Undefined || dataTypeSize(dtype) == 0 ||
        dtype == DataType::Complex64 || dtype == DataType::Complex128)
        return invalidArgument("input '" + name + "' is " + dataTypeName(dtype) +
                               "; values can be given for numbers and bools only");
    for (size_t i = 0; i < parts.size(); ++i)
        IS_RETURN_IF_ERROR(storeValue(name, parts[i], dtype, t, static_cast<int64_t>(i)));
    return t;
}

Result<TensorData> parseInputValues(const Value& input, const std::optional<Shape>& given, const std::string& text) {
    if (given) return parseInputValues(input.name, input.dtype, *given, text);
    const SymbolicShape& declared = input.declaredShape;
    bool isStatic = input.hasDeclaredShape;
    Shape shape;
    for (const Dim& d : declared) {
        isStatic = isStatic && d.isStatic();
        shape.push_back(d.value);
    }
    if (isStatic) return parseInputValues(input.name, input.dtype, shape, text);
    // A dynamic scalar or vector has one shape that holds the values: the
    // count says it. A higher rank could split them several ways.
    const auto count = static_cast<int64_t>(splitValues(text).size());
    if (input.hasDeclaredShape && declared.size() == 1)
        return parseInputValues(input.name, input.dtype, Shape{count}, text);
    return invalidArgument("input '" + input.name + "' is declared " +
                           (input.hasDeclaredShape ? shapeToString(declared) : std::string("without a shape")) +
                           ": give its shape too (NAME=DIMS) to set its values");
}

}  // namespace interstage
