// Shape rules for reductions (ReduceX), ArgMax / ArgMin and TopK. Where the
// axes come from changed over time: an attribute, then an input (opset 13
// for ReduceSum, 18 for the others). ReduceSum / Prod / Max / Min / Mean and
// the norms fold when the data is known, since shape chains use them
// (ReduceProd of a Shape gives an element count).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "model/fold_util.h"
#include "model/shape_rules.h"

namespace interstage::shapes {

namespace {

using namespace fold;

constexpr int64_t kMaxFoldInput = int64_t(1) << 24;

enum class Red { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

// Normalizes and checks a list of axes for the given rank; duplicates fail.
bool axesFromInput(const ShapeContext& c, Red op) {
    int64_t since = op == Red::Sum ? 13 : 18;
    return c.opset() == 0 || c.opset() >= since;
}

// One input element into its output's accumulator. Integers wrap as
// two's complement, as ONNX Runtime's do.
void accumulateInt(Red op, int64_t& a, int64_t v) {
    auto wrap = [](uint64_t r) { return static_cast<int64_t>(r); };
    switch (op) {
        case Red::Sum:
            a = wrap(uint64_t(a) + uint64_t(v));
            break;
        case Red::Prod:
            a = wrap(uint64_t(a) * uint64_t(v));
            break;
        case Red::Max:
            a = std::max(a, v);
            break;
        case Red::Min:
            a = std::min(a, v);
            break;
        case Red::L1:
            a = wrap(uint64_t(a) + (v < 0 ? 0 - uint64_t(v) : uint64_t(v)));
            break;
        case Red::SumSquare:
            a = wrap(uint64_t(a) + uint64_t(v) * uint64_t(v));
            break;
        default:
            break;
    }
}

// NaN wins Max and Min, as in the kernels.
void accumulateDouble(Red op, double& a, double v) {
    switch (op) {
        case Red::Sum:
        case Red::Mean:
        case Red::LogSum:
            a += v;
            break;
        case Red::Prod:
            a *= v;
            break;
        case Red::Max:
            a = std::isnan(v) || std::isnan(a) ? std::nan("") : std::max(a, v);
            break;
        case Red::Min:
            a = std::isnan(v) || std::isnan(a) ? std::nan("") : std::min(a, v);
            break;
        case Red::L1:
            a += std::fabs(v);
            break;
        case Red::L2:
        case Red::SumSquare:
            a += v * v;
            break;
        case Red::LogSumExp:
            a += std::exp(v);
            break;
    }
}

Status foldReduce(ShapeContext& c, Red op, const std::vector<bool>& reduced, const Shape& outShape) {
    const TensorData* x = knownValue(c, 0);
    DataType dtype = c.inputType(0);
    int64_t inCount = x->elementCount();
    auto outCount = elementCount(outShape);
    if (!outCount) return setChecked(c, 0, dtype, outShape);
    // Max / Min / Mean of nothing have no value worth folding.
    if (inCount == 0 && (op == Red::Max || op == Red::Min || op == Red::Mean)) return setChecked(c, 0, dtype, outShape);

    // Output index of each input element: strides of the kept axes.
    const Shape& inShape = x->shape;
    Shape keptShape(inShape.size());
    for (size_t k = 0; k < inShape.size(); ++k) keptShape[k] = reduced[k] ? 1 : inShape[k];
    Shape outStrides = stridesOf(keptShape);
    for (size_t k = 0; k < inShape.size(); ++k)
        if (reduced[k]) outStrides[k] = 0;
    int64_t perOutput = *outCount == 0 ? 0 : inCount / std::max<int64_t>(*outCount, 1);

    bool integer =
        isIntegerType(dtype) && op != Red::Mean && op != Red::L2 && op != Red::LogSum && op != Red::LogSumExp;
    std::vector<int64_t> iacc(static_cast<size_t>(*outCount));
    std::vector<double> dacc(static_cast<size_t>(*outCount));
    double dinit = op == Red::Prod  ? 1.0
                   : op == Red::Max ? -std::numeric_limits<double>::infinity()
                   : op == Red::Min ? std::numeric_limits<double>::infinity()
                                    : 0.0;
    int64_t iinit = op == Red::Prod  ? 1
                    : op == Red::Max ? std::numeric_limits<int64_t>::min()
                    : op == Red::Min ? std::numeric_limits<int64_t>::max()
                                     : 0;
    std::fill(iacc.begin(), iacc.end(), iinit);
    std::fill(dacc.begin(), dacc.end(), dinit);

    Shape counter(inShape.size(), 0);
    int64_t pos = 0;
    for (int64_t n = 0; n < inCount; ++n) {
        auto o = static_cast<size_t>(pos);
        if (integer)
            accumulateInt(op, iacc[o], readInt(*x, n));
        else
            accumulateDouble(op, dacc[o], readDouble(*x, n));
        // Odometer over the input shape, moving the output position along.
        for (size_t k = inShape.size(); k-- > 0;) {
            if (++counter[k] < inShape[k]) {
                pos += outStrides[k];
                break;
            }
            pos -= outStrides[k] * (inShape[k] - 1);
            counter[k] = 0;
        }
    }
    TensorData out = TensorData::zeros(dtype, outShape);
    for (int64_t o = 0; o < *outCount; ++o) {
        auto k = static_cast<size_t>(o);
        if (integer) {
            writeInt(out, o, iacc[k]);
            continue;
        }
        double v = dacc[k];
        if (op == Red::Mean)
            v /= static_cast<double>(perOutput);
        else if (op == Red::L2)
            v = std::sqrt(v);
        else if (op == Red::LogSum || op == Red::LogSumExp)
            v = std::log(v);
        writeDouble(out, o, v);
    }
    c.setOutputValue(0, std::move(out));
    return Status::ok();
}

Status reduceOp(ShapeContext& c, Red op) {
    bool fromInput = axesFromInput(c, op);
    IS_RETURN_IF_ERROR(checkArity(c, 1, fromInput ? 2 : 1, 1));
    std::vector<int64_t> axes;
    if (fromInput) {
        if (c.hasInput(1)) IS_RETURN_IF_ERROR(readInts(c, 1, "axes", axes));
    } else {
        axes = c.node().attrInts("axes");
    }
    const Shape& x = c.inputShape(0);
    auto rank = static_cast<int64_t>(x.size());
    DataType dtype = c.inputType(0);
    if (axes.empty() && c.node().attrInt("noop_with_empty_axes", 0) != 0) {
        // No axes and told to do nothing: the output is the input.
        if (const TensorData* v = knownValue(c, 0); v && fitsFold(c, v->shape)) {
            c.setOutputValue(0, *v);
            return Status::ok();
        }
        return setChecked(c, 0, dtype, x);
    }
    IS_RETURN_IF_ERROR(normalizeAxes(c, axes, rank));
    std::vector<bool> reduced(x.size(), axes.empty());
    for (int64_t axis : axes) reduced[static_cast<size_t>(axis)] = true;
    bool keepDims = c.node().attrInt("keepdims", 1) != 0;
    Shape out;
    for (size_t k = 0; k < x.size(); ++k) {
        if (!reduced[k])
            out.push_back(x[k]);
        else if (keepDims)
            out.push_back(1);
    }
    // Folding reads every input element once; big weights are not worth it.
    const TensorData* data = knownValue(c, 0);
    if (data && data->elementCount() <= kMaxFoldInput && isFoldableType(dtype) && fitsFold(c, out))
        return foldReduce(c, op, reduced, out);
    return setChecked(c, 0, dtype, out);
}

template <Red K>
Status reduceRule(ShapeContext& c) {
    return reduceOp(c, K);
}

// ArgMax / ArgMin: int64 indices along one axis.
Status argRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    Shape x = c.inputShape(0);
    int64_t axis = c.node().attrInt("axis", 0);
    if (!normalizeAxis(axis, static_cast<int64_t>(x.size())))
        return c.fail("axis " + std::to_string(c.node().attrInt("axis", 0)) + " is out of range for rank " +
                      std::to_string(x.size()));
    if (x[static_cast<size_t>(axis)] == 0) return c.fail("cannot take the arg of an empty axis");
    if (c.node().attrInt("keepdims", 1) != 0)
        x[static_cast<size_t>(axis)] = 1;
    else
        x.erase(x.begin() + axis);
    return setChecked(c, 0, DataType::Int64, x);
}

// TopK: values and int64 indices with k along the axis; k is an attribute
// before opset 10 and a 1-element input after.
Status topKRule(ShapeContext& c) {
    bool kInput = c.opset() == 0 || c.opset() >= 10;
    IS_RETURN_IF_ERROR(checkArity(c, kInput ? 2 : 1, kInput ? 2 : 1, 2));
    Shape x = c.inputShape(0);
    int64_t axis = c.node().attrInt("axis", -1);
    if (!normalizeAxis(axis, static_cast<int64_t>(x.size())))
        return c.fail("axis " + std::to_string(c.node().attrInt("axis", -1)) + " is out of range for rank " +
                      std::to_string(x.size()));
    int64_t k;
    if (kInput) {
        std::vector<int64_t> values;
        IS_RETURN_IF_ERROR(readInts(c, 1, "k", values));
        if (values.size() != 1) return c.fail("k must hold exactly one value");
        k = values[0];
    } else {
        if (!c.node().hasAttr("k")) return c.fail("attribute 'k' is missing");
        k = c.node().attrInt("k", 0);
    }
    int64_t dim = x[static_cast<size_t>(axis)];
    if (k < 0 || k > dim)
        return c.fail("k = " + std::to_string(k) + " is outside [0, " + std::to_string(dim) + "] for axis " +
                      std::to_string(axis));
    x[static_cast<size_t>(axis)] = k;
    IS_RETURN_IF_ERROR(setChecked(c, 0, c.inputType(0), x));
    return setChecked(c, 1, DataType::Int64, x);
}

}  // namespace

namespace rules {

// The rules this family gives the op table (ops/op_table.cpp).
const ShapeRule reduceSum = &reduceRule<Red::Sum>;
const ShapeRule reduceMean = &reduceRule<Red::Mean>;
const ShapeRule reduceMax = &reduceRule<Red::Max>;
const ShapeRule reduceMin = &reduceRule<Red::Min>;
const ShapeRule reduceProd = &reduceRule<Red::Prod>;
const ShapeRule reduceL1 = &reduceRule<Red::L1>;
const ShapeRule reduceL2 = &reduceRule<Red::L2>;
const ShapeRule reduceLogSum = &reduceRule<Red::LogSum>;
const ShapeRule reduceLogSumExp = &reduceRule<Red::LogSumExp>;
const ShapeRule reduceSumSquare = &reduceRule<Red::SumSquare>;
const ShapeRule arg = &argRule;
const ShapeRule topK = &topKRule;

}  // namespace rules

}  // namespace interstage::shapes
