// Shape rules for the quantized ops: QuantizeLinear / DequantizeLinear
// (per tensor, per axis, blocked), DynamicQuantizeLinear, MatMulInteger,
// ConvInteger, QLinearMatMul and QLinearConv.
//
// Besides shapes they check what would otherwise give silently wrong
// numbers: a scale of the wrong length for its axis, a zero point of
// another dtype than the tensor it belongs to, and (when the values are
// known before running) a scale that is zero, negative or not finite, or
// an int32 zero point that is not 0. These are errors in the model, not
// shapes waiting for input values: they fail as InvalidModel (a ShapeError
// would defer them to the first run), naming the tensor and the node.
#include <cmath>
#include <string>

#include "model/fold_util.h"
#include "model/shape_rules.h"

namespace interstage::shapes {

namespace {

using namespace fold;

bool isQuantizedType(DataType t) { return t == DataType::Int8 || t == DataType::UInt8; }

bool isScaleType(DataType t) { return t == DataType::Float || t == DataType::Float16 || t == DataType::BFloat16; }

std::string inputName(const ShapeContext& c, size_t i) { return "'" + c.input(i).name + "'"; }

// A quantization parameter that no input can make right.
Status invalid(const ShapeContext& c, const std::string& why) {
    return invalidModel("node '" + c.node().name + "' (" + c.node().opType + "): " + why);
}

// The role of input i with its tensor name: "scale 'x_scale'".
std::string named(const ShapeContext& c, size_t i, const char* role) {
    return std::string(role) + " " + inputName(c, i);
}

// Known scales must be positive and finite: a zero scale divides by zero
// in QuantizeLinear, a negative one flips the sign of every value.
Status checkScaleValues(const ShapeContext& c, size_t scale) {
    const TensorData* value = knownValue(c, scale);
    if (!value) return Status::ok();
    for (int64_t i = 0; i < value->elementCount(); ++i) {
        double s = readDouble(*value, i);
        if (!(s > 0) || !std::isfinite(s))
            return invalid(c, named(c, scale, "scale") + " holds " + std::to_string(s) + " at index " +
                                  std::to_string(i) + ": scales must be positive and finite");
    }
    return Status::ok();
}

// The zero point belongs to the quantized tensor `of` (or to the output
// dtype `quantized`): same dtype, and for int32 only 0 is meaningful.
Status checkZeroPoint(const ShapeContext& c, size_t zeroPoint, DataType quantized, const std::string& of) {
    if (!c.hasInput(zeroPoint)) return Status::ok();
    DataType t = c.inputType(zeroPoint);
    if (t != quantized)
        return invalid(c, named(c, zeroPoint, "zero point") + " is " + dataTypeName(t) + " but " + of + " is " +
                              dataTypeName(quantized) + ": its values would be read outside " +
                              dataTypeName(quantized) + "'s range");
    const TensorData* value = knownValue(c, zeroPoint);
    if (value && t == DataType::Int32)
        for (int64_t i = 0; i < value->elementCount(); ++i)
            if (readInt(*value, i) != 0)
                return invalid(c, named(c, zeroPoint, "zero point") + " holds " + std::to_string(readInt(*value, i)) +
                                      ": an int32 tensor has no zero point other than 0");
    return Status::ok();
}

// How scale and zero point spread over the data tensor (QuantizeLinear /
// DequantizeLinear): one value, one per index of `axis`, or (block_size > 0)
// one per block of block_size indices along `axis`.
Status checkQuantParams(const ShapeContext& c, size_t data, size_t scale, size_t zeroPoint) {
    const Shape& x = c.inputShape(data);
    const Shape& s = c.inputShape(scale);
    int64_t axis = c.node().attrInt("axis", 1);
    int64_t blockSize = c.node().attrInt("block_size", 0);
    if (blockSize < 0) return invalid(c, "block_size " + std::to_string(blockSize) + " is negative");
    int64_t count = 1;
    for (int64_t d : s) count *= d;
    bool perTensor = s.empty() || (s.size() == 1 && count == 1 && blockSize == 0);
    if (!perTensor) {
        int64_t rank = static_cast<int64_t>(x.size());
        if (!normalizeAxis(axis, rank))
            return invalid(c, "axis " + std::to_string(c.node().attrInt("axis", 1)) + " is out of range for rank " +
                                  std::to_string(rank));
        if (blockSize == 0) {
            if (s.size() != 1 || s[0] != x[axis])
                return invalid(c, named(c, scale, "scale") + " has shape " + shapeToString(s) + " but axis " +
                                      std::to_string(axis) + " of " + inputName(c, data) + " " + shapeToString(x) +
                                      " has " + std::to_string(x[axis]) +
                                      " entries: per-axis scales need one per entry");
        } else {
            Shape expected = x;
            expected[axis] = (x[axis] + blockSize - 1) / blockSize;
            if (s != expected)
                return invalid(c, named(c, scale, "scale") + " has shape " + shapeToString(s) + " but blocks of " +
                                      std::to_string(blockSize) + " on axis " + std::to_string(axis) + " of " +
                                      shapeToString(x) + " need " + shapeToString(expected));
        }
    }
    if (!isScaleType(c.inputType(scale)))
        return invalid(
            c, named(c, scale, "scale") + " is " + dataTypeName(c.inputType(scale)) + ", not a floating-point type");
    if (c.hasInput(zeroPoint) && c.inputShape(zeroPoint) != s)
        return invalid(c, named(c, zeroPoint, "zero point") + " has shape " + shapeToString(c.inputShape(zeroPoint)) +
                              " but its scale has " + shapeToString(s));
    return checkScaleValues(c, scale);
}

Status quantizeLinearRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 3, 1));
    DataType out = DataType::UInt8;
    if (c.hasInput(2)) out = c.inputType(2);
    int64_t outputDtype = c.node().attrInt("output_dtype", 0);
    if (outputDtype != 0) {
        if (c.hasInput(2) && static_cast<int64_t>(out) != outputDtype)
            return c.fail("attribute output_dtype differs from the zero point's dtype");
        out = static_cast<DataType>(outputDtype);
    }
    if (!isQuantizedType(out))
        return c.fail(std::string("quantizing to ") + dataTypeName(out) + " is not supported (int8 and uint8 are)");
    DataType in = c.inputType(0);
    if (!isScaleType(in) && in != DataType::Int32)
        return c.fail(std::string("input is ") + dataTypeName(in) + ", not float, float16, bfloat16 or int32");
    IS_RETURN_IF_ERROR(checkQuantParams(c, 0, 1, 2));
    return setChecked(c, 0, out, c.inputShape(0));
}

Status dequantizeLinearRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 3, 1));
    DataType in = c.inputType(0);
    if (!isQuantizedType(in) && in != DataType::Int32)
        return c.fail(std::string("dequantizing ") + dataTypeName(in) + " is not supported (int8, uint8, int32 are)");
    IS_RETURN_IF_ERROR(checkQuantParams(c, 0, 1, 2));
    IS_RETURN_IF_ERROR(checkZeroPoint(c, 2, in, "input " + inputName(c, 0)));
    return setChecked(c, 0, c.inputType(1), c.inputShape(0));
}

Status dynamicQuantizeLinearRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 3));
    if (c.inputType(0) != DataType::Float)
        return c.fail(std::string("input is ") + dataTypeName(c.inputType(0)) + ", not float");
    IS_RETURN_IF_ERROR(setChecked(c, 0, DataType::UInt8, c.inputShape(0)));
    IS_RETURN_IF_ERROR(setChecked(c, 1, DataType::Float, {}));
    return setChecked(c, 2, DataType::UInt8, {});
}

// A zero point of an integer op: a scalar, or (perAxisLength > 0) one per
// row / column / output channel.
Status checkOpZeroPoint(const ShapeContext& c, size_t zeroPoint, size_t data, int64_t perAxisLength,
                        const char* perWhat) {
    if (!c.hasInput(zeroPoint)) return Status::ok();
    IS_RETURN_IF_ERROR(checkZeroPoint(c, zeroPoint, c.inputType(data), "input " + inputName(c, data)));
    const Shape& z = c.inputShape(zeroPoint);
    int64_t count = 1;
    for (int64_t d : z) count *= d;
    if (z.size() <= 1 && (count == 1 || (perAxisLength > 0 && z.size() == 1 && count == perAxisLength)))
        return Status::ok();
    return invalid(c, named(c, zeroPoint, "zero point") + " has shape " + shapeToString(z) + "; it must be a scalar" +
                          (perAxisLength > 0 ? " or hold one value per " + std::string(perWhat) + " (" +
                                                   std::to_string(perAxisLength) + ")"
                                             : std::string()));
}

// A scale of a QLinear op: a scalar, or (perAxisLength > 0) one per column
// / output channel; positive and finite when known.
Status checkOpScale(const ShapeContext& c, size_t scale, int64_t perAxisLength, const char* perWhat) {
    if (c.inputType(scale) != DataType::Float)
        return invalid(c, named(c, scale, "scale") + " is " + dataTypeName(c.inputType(scale)) + ", not float");
    const Shape& s = c.inputShape(scale);
    int64_t count = 1;
    for (int64_t d : s) count *= d;
    if (!(s.size() <= 1 && (count == 1 || (perAxisLength > 0 && s.size() == 1 && count == perAxisLength))))
        return invalid(c, named(c, scale, "scale") + " has shape " + shapeToString(s) + "; it must be a scalar" +
                              (perAxisLength > 0 ? " or hold one value per " + std::string(perWhat) + " (" +
                                                       std::to_string(perAxisLength) + ")"
                                                 : std::string()));
    return checkScaleValues(c, scale);
}

Status checkIntegerOperands(const ShapeContext& c, size_t a, size_t b) {
    for (size_t i : {a, b})
        if (!isQuantizedType(c.inputType(i)))
            return c.fail("input " + inputName(c, i) + " is " + dataTypeName(c.inputType(i)) + ", not int8 or uint8");
    return Status::ok();
}

// The matrix rows of A (per-row zero points) and columns of B.
int64_t rowsOf(const Shape& a) { return a.size() >= 2 ? a[a.size() - 2] : 1; }
int64_t columnsOf(const Shape& b) { return b.size() >= 2 ? b.back() : 1; }

Status matMulIntegerRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 4, 1));
    IS_RETURN_IF_ERROR(checkIntegerOperands(c, 0, 1));
    IS_RETURN_IF_ERROR(checkOpZeroPoint(c, 2, 0, rowsOf(c.inputShape(0)), "row of A"));
    IS_RETURN_IF_ERROR(checkOpZeroPoint(c, 3, 1, columnsOf(c.inputShape(1)), "column of B"));
    Shape out;
    IS_RETURN_IF_ERROR(matMulOutputShape(c, c.inputShape(0), c.inputShape(1), out));
    return setChecked(c, 0, DataType::Int32, out);
}

Status convIntegerRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 4, 1));
    IS_RETURN_IF_ERROR(checkIntegerOperands(c, 0, 1));
    Shape out;
    IS_RETURN_IF_ERROR(convOutputShape(c, c.inputShape(0), c.inputShape(1), out));
    IS_RETURN_IF_ERROR(checkOpZeroPoint(c, 2, 0, 0, ""));
    IS_RETURN_IF_ERROR(checkOpZeroPoint(c, 3, 1, c.inputShape(1)[0], "output channel"));
    return setChecked(c, 0, DataType::Int32, out);
}

// QLinearMatMul(a, a_scale, a_zero_point, b, b_scale, b_zero_point,
// y_scale, y_zero_point): the output has y_zero_point's dtype.
Status qLinearMatMulRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 8, 8, 1));
    IS_RETURN_IF_ERROR(checkIntegerOperands(c, 0, 3));
    const int64_t rows = rowsOf(c.inputShape(0)), columns = columnsOf(c.inputShape(3));
    IS_RETURN_IF_ERROR(checkOpScale(c, 1, rows, "row of a"));
    IS_RETURN_IF_ERROR(checkOpZeroPoint(c, 2, 0, rows, "row of a"));
    IS_RETURN_IF_ERROR(checkOpScale(c, 4, columns, "column of b"));
    IS_RETURN_IF_ERROR(checkOpZeroPoint(c, 5, 3, columns, "column of b"));
    IS_RETURN_IF_ERROR(checkOpScale(c, 6, 0, ""));
    if (!isQuantizedType(c.inputType(7)))
        return c.fail(named(c, 7, "zero point") + " is " + dataTypeName(c.inputType(7)) + ", not int8 or uint8");
    IS_RETURN_IF_ERROR(checkOpZeroPoint(c, 7, 7, 0, ""));
    Shape out;
    IS_RETURN_IF_ERROR(matMulOutputShape(c, c.inputShape(0), c.inputShape(3), out));
    return setChecked(c, 0, c.inputType(7), out);
}

// QLinearConv(x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale,
// y_zero_point, B): B is int32, one per output channel.
Status qLinearConvRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 8, 9, 1));
    IS_RETURN_IF_ERROR(checkIntegerOperands(c, 0, 3));
    Shape out;
    IS_RETURN_IF_ERROR(convOutputShape(c, c.inputShape(0), c.inputShape(3), out));
    const int64_t channels = c.inputShape(3)[0];
    IS_RETURN_IF_ERROR(checkOpScale(c, 1, 0, ""));
    IS_RETURN_IF_ERROR(checkOpZeroPoint(c, 2, 0, 0, ""));
    IS_RETURN_IF_ERROR(checkOpScale(c, 4, channels, "output channel"));
    IS_RETURN_IF_ERROR(checkOpZeroPoint(c, 5, 3, channels, "output channel"));
    IS_RETURN_IF_ERROR(checkOpScale(c, 6, 0, ""));
    if (!isQuantizedType(c.inputType(7)))
        return c.fail(named(c, 7, "zero point") + " is " + dataTypeName(c.inputType(7)) + ", not int8 or uint8");
    IS_RETURN_IF_ERROR(checkOpZeroPoint(c, 7, 7, 0, ""));
    if (c.hasInput(8) && (c.inputType(8) != DataType::Int32 || c.inputRank(8) != 1 || c.inputShape(8)[0] != channels))
        return c.fail("bias " + inputName(c, 8) + " " + shapeToString(c.inputShape(8)) + " must be int32 with " +
                      std::to_string(channels) + " values");
    return setChecked(c, 0, c.inputType(7), out);
}

}  // namespace

namespace rules {

const ShapeRule quantizeLinear = &quantizeLinearRule;
const ShapeRule dequantizeLinear = &dequantizeLinearRule;
const ShapeRule dynamicQuantizeLinear = &dynamicQuantizeLinearRule;
const ShapeRule matMulInteger = &matMulIntegerRule;
const ShapeRule convInteger = &convIntegerRule;
const ShapeRule qLinearMatMul = &qLinearMatMulRule;
const ShapeRule qLinearConv = &qLinearConvRule;

}  // namespace rules

}  // namespace interstage::shapes
