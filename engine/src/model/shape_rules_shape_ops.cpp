// Shape rules for ops that make or consume shapes: Shape, Size, Constant,
// ConstantOfShape, Range, Expand, Tile, EyeLike, OneHot, NonZero. Shape and
// Size need only their input's shape, so they always fold; the others fold
// when their inputs are known, which is what lets data-dependent chains
// resolve before any run.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "model/fold_util.h"
#include "model/shape_rules.h"

namespace interstage::shapes {

namespace {

using namespace fold;

// Sets output 0 to value when small enough, else to its dtype and shape only.
void setValueOrShape(ShapeContext& c, TensorData value) {
    if (fitsFold(c, value.shape))
        c.setOutputValue(0, std::move(value));
    else
        c.setOutput(0, value.dtype, value.shape);
}

// Reads one number from a known scalar (or 1-element) input.
Status readScalar(const ShapeContext& c, size_t i, const std::string& role, const TensorData*& value) {
    value = knownValue(c, i);
    if (!value) return runtimeInput(c, i, role);
    if (value->elementCount() != 1 || value->shape.size() > 1)
        return c.fail("the " + role + " input '" + c.input(i).name + "' must be a scalar, not " +
                      shapeToString(value->shape));
    if (!isFoldableType(value->dtype))
        return c.fail("the " + role + " input '" + c.input(i).name + "' must be numeric");
    return Status::ok();
}

// Reads a target shape from a known 1-D integer input; dims must be >= 0.
Status readTargetShape(const ShapeContext& c, size_t i, const std::string& role, Shape& shape) {
    IS_RETURN_IF_ERROR(readInts(c, i, role, shape));
    for (int64_t d : shape)
        if (d < 0) return c.fail("the " + role + " input holds the negative dim " + std::to_string(d));
    return checkShape(c, shape, "requested");
}

// ---------------------------------------------------------------- Shape / Size

Status shapeRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    const Shape& in = c.inputShape(0);
    auto rank = static_cast<int64_t>(in.size());
    // Opset 15 start / end: negative counts from the back, then clamp.
    int64_t start = c.node().attrInt("start", 0);
    int64_t end = c.node().attrInt("end", rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, 0, rank);
    std::vector<int64_t> dims;
    for (int64_t k = start; k < end; ++k) dims.push_back(in[static_cast<size_t>(k)]);
    auto n = static_cast<int64_t>(dims.size());
    c.setOutputValue(0, TensorData::fromInt64(dims, {n}));
    return Status::ok();
}

Status sizeRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    c.setOutputValue(0, TensorData::fromInt64({elementCount(c.inputShape(0)).value_or(0)}, {}));
    return Status::ok();
}

// ---------------------------------------------------------------- Constant

Status constantRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 0, 0, 1));
    const Node& node = c.node();
    for (const char* name : {"value", "sparse_value"}) {
        const Attribute* a = node.attr(name);
        if (!a) continue;
        if (a->kind != Attribute::Kind::Tensor || !a->tensor)
            return c.fail("attribute '" + std::string(name) + "' could not be decoded as a dense tensor" +
                          (a->kind == Attribute::Kind::Other ? " (sparse constants are not supported)" : ""));
        const TensorData& t = *a->tensor;
        if (!isConsistent(t))
            return c.fail("the tensor in attribute '" + std::string(name) + "' does not match its shape " +
                          shapeToString(t.shape));
        if (fitsFold(c, t.shape))
            c.setOutputValue(0, t);
        else
            c.setOutput(0, t.dtype, t.shape);  // the loader keeps the big value itself
        return Status::ok();
    }
    if (const Attribute* valueFloat = node.attr("value_float");
        valueFloat && valueFloat->kind == Attribute::Kind::Float) {
        c.setOutputValue(0, TensorData::fromFloat({valueFloat->f}, {}));
    } else if (const Attribute* valueFloats = node.attr("value_floats");
               valueFloats && valueFloats->kind == Attribute::Kind::Floats) {
        setValueOrShape(c,
                        TensorData::fromFloat(valueFloats->floats, {static_cast<int64_t>(valueFloats->floats.size())}));
    } else if (const Attribute* valueInt = node.attr("value_int"); valueInt && valueInt->kind == Attribute::Kind::Int) {
        c.setOutputValue(0, TensorData::fromInt64({valueInt->i}, {}));
    } else if (const Attribute* valueInts = node.attr("value_ints");
               valueInts && valueInts->kind == Attribute::Kind::Ints) {
        setValueOrShape(c, TensorData::fromInt64(valueInts->ints, {static_cast<int64_t>(valueInts->ints.size())}));
    } else if (const Attribute* valueString = node.attr("value_string");
               valueString && valueString->kind == Attribute::Kind::String) {
        TensorData t = TensorData::zeros(DataType::String, {});
        t.strings[0] = valueString->s;
        c.setOutputValue(0, std::move(t));
    } else if (const Attribute* valueStrings = node.attr("value_strings");
               valueStrings && valueStrings->kind == Attribute::Kind::Strings) {
        TensorData t = TensorData::zeros(DataType::String, {static_cast<int64_t>(valueStrings->strings.size())});
        t.strings = valueStrings->strings;
        setValueOrShape(c, std::move(t));
    } else {
        return c.fail("has no value attribute (value, value_float(s), value_int(s) or value_string(s))");
    }
    return Status::ok();
}

// ---------------------------------------------------------------- generators

Status constantOfShapeRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    Shape shape;
    IS_RETURN_IF_ERROR(readTargetShape(c, 0, "shape", shape));
    TensorData fill = TensorData::fromFloat({0.0f}, {1});  // the spec's default: float 0
    if (const Attribute* a = c.node().attr("value")) {
        if (a->kind != Attribute::Kind::Tensor || !a->tensor || !isConsistent(*a->tensor) ||
            a->tensor->elementCount() != 1)
            return c.fail("attribute 'value' must be a one-element tensor");
        fill = *a->tensor;
    }
    if (!fitsFold(c, shape) || !isMovableType(fill.dtype)) return setChecked(c, 0, fill.dtype, shape);
    TensorData out;
    std::vector<int64_t> index(static_cast<size_t>(elementCount(shape).value_or(0)), 0);
    if (!takeElements(fill, shape, index, out)) return setChecked(c, 0, fill.dtype, shape);
    c.setOutputValue(0, std::move(out));
    return Status::ok();
}

Status rangeRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 3, 3, 1));
    const TensorData *start, *limit, *delta;
    IS_RETURN_IF_ERROR(readScalar(c, 0, "start", start));
    IS_RETURN_IF_ERROR(readScalar(c, 1, "limit", limit));
    IS_RETURN_IF_ERROR(readScalar(c, 2, "delta", delta));
    DataType dtype = c.inputType(0);
    bool integer = isIntegerType(dtype);
    int64_t count;
    if (integer) {
        // 128-bit so that hostile bounds cannot overflow the division.
        __int128 s = readInt(*start, 0), l = readInt(*limit, 0), d = readInt(*delta, 0);
        if (d == 0) return c.fail("delta is 0");
        __int128 span = l - s;
        __int128 n = span / d + ((span % d != 0 && ((span < 0) == (d < 0))) ? 1 : 0);
        if (n > kMaxElements) return c.fail("Range would have more than 2^40 elements");
        count = n < 0 ? 0 : static_cast<int64_t>(n);
    } else {
        double s = readDouble(*start, 0), l = readDouble(*limit, 0), d = readDouble(*delta, 0);
        if (d == 0 || !std::isfinite(s) || !std::isfinite(l) || !std::isfinite(d))
            return c.fail("start, limit and delta must be finite with a non-zero delta");
        // The span is taken in the input's precision, as kernels do.
        double span =
            dtype == DataType::Float ? static_cast<double>(static_cast<float>(l) - static_cast<float>(s)) : l - s;
        double n = std::ceil(span / d);
        if (!(n <= static_cast<double>(kMaxElements))) return c.fail("Range would have more than 2^40 elements");
        count = n < 0 ? 0 : static_cast<int64_t>(n);
    }
    Shape shape{count};
    if (!fitsFold(c, shape) || !isFoldableType(dtype)) return setChecked(c, 0, dtype, shape);
    TensorData out = TensorData::zeros(dtype, shape);
    for (int64_t i = 0; i < count; ++i) {
        if (integer)
            writeInt(out, i, static_cast<int64_t>(__int128(readInt(*start, 0)) + __int128(i) * readInt(*delta, 0)));
        else
            writeDouble(out, i, readDouble(*start, 0) + static_cast<double>(i) * readDouble(*delta, 0));
    }
    c.setOutputValue(0, std::move(out));
    return Status::ok();
}

Status eyeLikeRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    if (c.inputRank(0) != 2) return c.fail("input must be 2-D, not " + shapeToString(c.inputShape(0)));
    DataType dtype = c.inputType(0);
    if (c.node().hasAttr("dtype")) {
        int64_t t = c.node().attrInt("dtype", 0);
        if (t < 0 || t > 64 || !isKnownDataType(static_cast<int32_t>(t)))
            return c.fail("attribute 'dtype' does not name a known data type");
        dtype = static_cast<DataType>(t);
    }
    return setChecked(c, 0, dtype, c.inputShape(0));
}

// ---------------------------------------------------------------- Expand / Tile

Status expandRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 2, 1));
    Shape target;
    IS_RETURN_IF_ERROR(readTargetShape(c, 1, "shape", target));
    Shape out;
    Status s = broadcastShapes(c.inputShape(0), target, out);
    if (!s.isOk()) return c.fail(s.message());
    IS_RETURN_IF_ERROR(checkShape(c, out, "output"));
    const TensorData* x = knownValue(c, 0);
    TensorData value;
    if (x && fitsFold(c, out) && takeElements(*x, out, broadcastIndex(x->shape, out), value)) {
        c.setOutputValue(0, std::move(value));
        return Status::ok();
    }
    return setChecked(c, 0, c.inputType(0), out);
}

Status tileRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 3, 1));
    const Shape& in = c.inputShape(0);
    Shape out = in;
    if (opsetBefore(c, 6)) {
        // Tile-1: (input, tiles, axis) scalars repeat one axis.
        IS_RETURN_IF_ERROR(checkArity(c, 3, 3, 1));
        const TensorData *tiles, *axisValue;
        IS_RETURN_IF_ERROR(readScalar(c, 1, "tiles", tiles));
        IS_RETURN_IF_ERROR(readScalar(c, 2, "axis", axisValue));
        int64_t axis = readInt(*axisValue, 0);
        if (!normalizeAxis(axis, static_cast<int64_t>(in.size())))
            return c.fail("axis " + std::to_string(readInt(*axisValue, 0)) + " is out of range");
        int64_t times = readInt(*tiles, 0);
        auto a = static_cast<size_t>(axis);
        if (times < 0 || !checkedMul(out[a], times, out[a])) return c.fail("tiles must be >= 0");
        return setChecked(c, 0, c.inputType(0), out);
    }
    IS_RETURN_IF_ERROR(checkArity(c, 2, 2, 1));
    std::vector<int64_t> repeats;
    IS_RETURN_IF_ERROR(readInts(c, 1, "repeats", repeats));
    if (repeats.size() != in.size())
        return c.fail("repeats has " + std::to_string(repeats.size()) + " values for rank " +
                      std::to_string(in.size()));
    for (size_t k = 0; k < in.size(); ++k)
        if (repeats[k] < 0 || !checkedMul(in[k], repeats[k], out[k]))
            return c.fail("repeats " + shapeToString(repeats) + " must be >= 0 and not absurd");
    IS_RETURN_IF_ERROR(checkShape(c, out, "output"));
    const TensorData* x = knownValue(c, 0);
    if (!x || !fitsFold(c, out)) return setChecked(c, 0, c.inputType(0), out);
    // Output element (i_0, i_1, ...) reads input (i_0 % d_0, i_1 % d_1, ...).
    Shape inStrides = stridesOf(in);
    std::vector<int64_t> index(static_cast<size_t>(elementCount(out).value_or(0)));
    Shape counter(out.size(), 0);
    for (size_t n = 0; n < index.size(); ++n) {
        int64_t pos = 0;
        for (size_t k = 0; k < out.size(); ++k) pos += (counter[k] % in[k]) * inStrides[k];
        index[n] = pos;
        for (size_t k = out.size(); k-- > 0;) {
            if (++counter[k] < out[k]) break;
            counter[k] = 0;
        }
    }
    TensorData value;
    if (!takeElements(*x, out, index, value)) return setChecked(c, 0, c.inputType(0), out);
    c.setOutputValue(0, std::move(value));
    return Status::ok();
}

// ---------------------------------------------------------------- OneHot / NonZero

Status oneHotRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 3, 3, 1));
    const TensorData* depthValue;
    IS_RETURN_IF_ERROR(readScalar(c, 1, "depth", depthValue));
    int64_t depth = readInt(*depthValue, 0);  // float depths are truncated, as runtimes do
    if (depth < 0) return c.fail("depth " + std::to_string(depth) + " is negative");
    if (elementCount(c.inputShape(2)).value_or(0) != 2)
        return c.fail("values must hold two elements (off, on), not " + shapeToString(c.inputShape(2)));
    Shape out = c.inputShape(0);
    int64_t axis = c.node().attrInt("axis", -1);
    if (!normalizeAxis(axis, static_cast<int64_t>(out.size()) + 1))
        return c.fail("axis " + std::to_string(c.node().attrInt("axis", -1)) + " is out of range for rank " +
                      std::to_string(out.size() + 1));
    out.insert(out.begin() + axis, depth);
    return setChecked(c, 0, c.inputType(2), out);
}

Status nonZeroRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    const TensorData* x = knownValue(c, 0);
    if (!x || !isFoldableType(x->dtype))
        return c.fail("the number of non-zero elements of input '" + c.input(0).name +
                      "' is only known at run time, so the output shape cannot be resolved before running");
    // A scalar counts as a 1-D tensor of one element, as runtimes treat it.
    Shape in = x->shape.empty() ? Shape{1} : x->shape;
    std::vector<int64_t> hits;
    for (int64_t n = 0; n < x->elementCount(); ++n)
        if (readDouble(*x, n) != 0) hits.push_back(n);
    auto rank = static_cast<int64_t>(in.size());
    auto nnz = static_cast<int64_t>(hits.size());
    Shape shape{rank, nnz};
    if (!fitsFold(c, shape)) return setChecked(c, 0, DataType::Int64, shape);
    // Row k holds the k-th coordinate of every hit.
    TensorData out = TensorData::zeros(DataType::Int64, shape);
    Shape strides = stridesOf(in);
    for (int64_t j = 0; j < nnz; ++j) {
        int64_t rest = hits[static_cast<size_t>(j)];
        for (int64_t k = 0; k < rank; ++k) {
            out.data<int64_t>()[k * nnz + j] = rest / strides[static_cast<size_t>(k)];
            rest %= strides[static_cast<size_t>(k)];
        }
    }
    c.setOutputValue(0, std::move(out));
    return Status::ok();
}

}  // namespace

namespace rules {

// The rules this family gives the op table (ops/op_table.cpp).
const ShapeRule shape = &shapeRule;
const ShapeRule size = &sizeRule;
const ShapeRule constant = &constantRule;
const ShapeRule constantOfShape = &constantOfShapeRule;
const ShapeRule range = &rangeRule;
const ShapeRule eyeLike = &eyeLikeRule;
const ShapeRule expand = &expandRule;
const ShapeRule tile = &tileRule;
const ShapeRule oneHot = &oneHotRule;
const ShapeRule nonZero = &nonZeroRule;

}  // namespace rules

}  // namespace interstage::shapes
