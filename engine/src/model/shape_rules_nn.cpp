// Shape rules for neural-network ops: convolutions, pooling, Gemm / MatMul,
// normalizations, softmax-like ops, Dropout, DepthToSpace / SpaceToDepth,
// Trilu and CumSum. None of these fold: their outputs are activations.
#include <string>
#include <vector>

#include "model/fold_util.h"
#include "model/shape_rules.h"

namespace interstage::shapes {

namespace {

using namespace fold;

// Same shape and dtype as input 0.
Status sameShape(ShapeContext& c, size_t required, size_t maxInputs, size_t maxOutputs) {
    IS_RETURN_IF_ERROR(checkArity(c, required, maxInputs, maxOutputs));
    return setChecked(c, 0, c.inputType(0), c.inputShape(0));
}

// Fails unless `axis` (read from attrName, with a default) is valid for the
// rank of input 0; an input of rank r accepts [-r, r - 1].
Status checkAxisAttr(const ShapeContext& c, const char* attrName, int64_t fallback) {
    int64_t axis = c.node().attrInt(attrName, fallback);
    if (!normalizeAxis(axis, c.inputRank(0)))
        return c.fail("axis " + std::to_string(c.node().attrInt(attrName, fallback)) + " is out of range for rank " +
                      std::to_string(c.inputRank(0)));
    return Status::ok();
}

Status softmaxRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    // The default axis moved from 1 to -1 in opset 13.
    IS_RETURN_IF_ERROR(checkAxisAttr(c, "axis", c.opset() > 0 && c.opset() < 13 ? 1 : -1));
    return setChecked(c, 0, c.inputType(0), c.inputShape(0));
}

Status lpNormRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    IS_RETURN_IF_ERROR(checkAxisAttr(c, "axis", -1));
    return setChecked(c, 0, c.inputType(0), c.inputShape(0));
}

Status lrnRule(ShapeContext& c) { return sameShape(c, 1, 1, 1); }
// Y like X; the axes (default N, H, W) must be valid and distinct.
Status mvnRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    std::vector<int64_t> axes = c.node().hasAttr("axes") ? c.node().attrInts("axes") : std::vector<int64_t>{0, 2, 3};
    IS_RETURN_IF_ERROR(normalizeAxes(c, axes, c.inputRank(0)));
    return setChecked(c, 0, c.inputType(0), c.inputShape(0));
}

Status instanceNormRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 3, 3, 1));
    if (c.inputRank(0) < 2) return c.fail("input must have rank >= 2, not " + std::to_string(c.inputRank(0)));
    return setChecked(c, 0, c.inputType(0), c.inputShape(0));
}

// Y like X; the optional training outputs (running / saved mean and
// variance) are per channel, shaped like the mean input.
Status batchNormRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 5, 5, 5));
    if (c.inputRank(0) < 1) return c.fail("input must have rank >= 1");
    for (size_t i = 1; i < 5; ++i)
        // Before opset 9 a non-spatial BatchNorm takes C x D1 x ... statistics.
        if (c.inputRank(i) != 1 && !(c.opset() > 0 && c.opset() < 9))
            return c.fail("input " + std::to_string(i) + " must be 1-D, not " + shapeToString(c.inputShape(i)));
    IS_RETURN_IF_ERROR(setChecked(c, 0, c.inputType(0), c.inputShape(0)));
    for (size_t i = 1; i < c.outputCount(); ++i) IS_RETURN_IF_ERROR(setChecked(c, i, c.inputType(3), c.inputShape(3)));
    return Status::ok();
}

// Y like X; Mean and InvStdDev keep the dims before axis and are 1 after.
Status layerNormRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 3, 3));
    int64_t axis = c.node().attrInt("axis", -1);
    if (!normalizeAxis(axis, c.inputRank(0)))
        return c.fail("axis " + std::to_string(c.node().attrInt("axis", -1)) + " is out of range for rank " +
                      std::to_string(c.inputRank(0)));
    int64_t stash = c.node().attrInt("stash_type", 1);
    if (stash < 0 || stash > 64 || !isKnownDataType(static_cast<int32_t>(stash)))
        return c.fail("attribute stash_type does not name a known data type");
    IS_RETURN_IF_ERROR(setChecked(c, 0, c.inputType(0), c.inputShape(0)));
    Shape stats = c.inputShape(0);
    for (size_t k = static_cast<size_t>(axis); k < stats.size(); ++k) stats[k] = 1;
    for (size_t i = 1; i < 3; ++i) IS_RETURN_IF_ERROR(setChecked(c, i, static_cast<DataType>(stash), stats));
    return Status::ok();
}

// Output like the input; the mask is bool from opset 10 on (the input's type
// before), same shape.
Status dropoutRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 3, 2));
    IS_RETURN_IF_ERROR(setChecked(c, 0, c.inputType(0), c.inputShape(0)));
    DataType maskType = c.opset() > 0 && c.opset() < 10 ? c.inputType(0) : DataType::Bool;
    return setChecked(c, 1, maskType, c.inputShape(0));
}

// ---------------------------------------------------------------- conv / pool

struct Window {
    std::vector<int64_t> kernel, strides, dilations, pads;  // pads: begins then ends
    std::string autoPad;
    bool ceilMode = false;
};

// Reads a per-spatial-axis int list attribute with a default for absence.
Status spatialInts(const ShapeContext& c, const char* name, size_t count, int64_t fallback, int64_t minimum,
                   std::vector<int64_t>& out) {
    if (!c.node().hasAttr(name)) {
        out.assign(count, fallback);
        return Status::ok();
    }
    out = c.node().attrInts(name);
    if (out.size() != count)
        return c.fail("attribute '" + std::string(name) + "' has " + std::to_string(out.size()) + " values, " +
                      std::to_string(count) + " expected");
    for (int64_t v : out)
        if (v < minimum)
            return c.fail("attribute '" + std::string(name) + "' holds " + std::to_string(v) +
                          " (must be >= " + std::to_string(minimum) + ")");
    return Status::ok();
}

// kernelFromWeights: the weight's spatial dims (empty for pools, where
// kernel_shape is required).
Status readWindow(const ShapeContext& c, size_t spatial, const Shape& kernelFromWeights, Window& w) {
    if (c.node().hasAttr("kernel_shape")) {
        IS_RETURN_IF_ERROR(spatialInts(c, "kernel_shape", spatial, 1, 1, w.kernel));
        if (!kernelFromWeights.empty() && w.kernel != kernelFromWeights)
            return c.fail("kernel_shape " + shapeToString(w.kernel) + " does not match the weight's " +
                          shapeToString(kernelFromWeights));
    } else if (!kernelFromWeights.empty()) {
        w.kernel = kernelFromWeights;
    } else {
        return c.fail("attribute 'kernel_shape' is missing");
    }
    IS_RETURN_IF_ERROR(spatialInts(c, "strides", spatial, 1, 1, w.strides));
    IS_RETURN_IF_ERROR(spatialInts(c, "dilations", spatial, 1, 1, w.dilations));
    IS_RETURN_IF_ERROR(spatialInts(c, "pads", 2 * spatial, 0, 0, w.pads));
    w.autoPad = c.node().attrString("auto_pad", "NOTSET");
    if (w.autoPad.empty()) w.autoPad = "NOTSET";
    if (w.autoPad != "NOTSET" && w.autoPad != "SAME_UPPER" && w.autoPad != "SAME_LOWER" && w.autoPad != "VALID")
        return c.fail("unknown auto_pad '" + w.autoPad + "'");
    w.ceilMode = c.node().attrInt("ceil_mode", 0) != 0;
    return Status::ok();
}

// Spatial output size of a sliding window (Conv and pools).
Status windowOutput(const ShapeContext& c, const Window& w, const Shape& inSpatial, Shape& out) {
    out.clear();
    size_t spatial = inSpatial.size();
    for (size_t k = 0; k < spatial; ++k) {
        int64_t in = inSpatial[k];
        int64_t s = w.strides[k];
        int64_t effective;  // (kernel - 1) * dilation + 1
        if (!checkedMul(w.kernel[k] - 1, w.dilations[k], effective) || !checkedAdd(effective, 1, effective))
            return c.fail("kernel and dilation overflow");
        if (w.autoPad == "SAME_UPPER" || w.autoPad == "SAME_LOWER") {
            out.push_back(in / s + (in % s != 0 ? 1 : 0));
            continue;
        }
        int64_t begin = w.autoPad == "VALID" ? 0 : w.pads[k];
        int64_t end = w.autoPad == "VALID" ? 0 : w.pads[k + spatial];
        int64_t padded;
        if (!checkedAdd(in, begin, padded) || !checkedAdd(padded, end, padded)) return c.fail("pads overflow");
        int64_t span = padded - effective;
        if (span < 0)
            return c.fail("window of " + std::to_string(effective) + " (kernel " + std::to_string(w.kernel[k]) +
                          ", dilation " + std::to_string(w.dilations[k]) + ") is larger than the padded input " +
                          std::to_string(padded) + " on spatial axis " + std::to_string(k));
        int64_t size = span / s + 1;
        if (w.ceilMode && span % s != 0) {
            ++size;
            // The last window must start inside the input or its left
            // padding, never entirely in the right padding.
            if ((size - 1) * s >= in + begin) --size;
        }
        out.push_back(size);
    }
    return Status::ok();
}

Status convRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 3, 1));
    const Shape& weight = c.inputShape(1);
    Shape out;
    IS_RETURN_IF_ERROR(convOutputShape(c, c.inputShape(0), weight, out));
    if (c.hasInput(2) && (c.inputRank(2) != 1 || c.inputShape(2)[0] != weight[0]))
        return c.fail("bias " + shapeToString(c.inputShape(2)) + " does not match " + std::to_string(weight[0]) +
                      " output channels");
    return setChecked(c, 0, c.inputType(0), out);
}

Status convTransposeRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 3, 1));
    const Shape& x = c.inputShape(0);
    const Shape& weight = c.inputShape(1);
    if (x.size() < 3) return c.fail("input must have rank >= 3 (N, C, spatial...), not " + shapeToString(x));
    if (weight.size() != x.size())
        return c.fail("weight " + shapeToString(weight) + " and input " + shapeToString(x) + " differ in rank");
    if (weight[0] != x[1])
        return c.fail("input has " + std::to_string(x[1]) + " channels but weight " + shapeToString(weight) +
                      " expects " + std::to_string(weight[0]));
    int64_t group = c.node().attrInt("group", 1);
    if (group < 1) return c.fail("group must be >= 1");
    int64_t outChannels;
    if (!checkedMul(weight[1], group, outChannels)) return c.fail("output channels overflow");
    if (c.hasInput(2) && (c.inputRank(2) != 1 || c.inputShape(2)[0] != outChannels))
        return c.fail("bias " + shapeToString(c.inputShape(2)) + " does not match " + std::to_string(outChannels) +
                      " output channels");
    size_t spatial = x.size() - 2;
    Window w;
    IS_RETURN_IF_ERROR(readWindow(c, spatial, Shape(weight.begin() + 2, weight.end()), w));
    std::vector<int64_t> outputPadding;
    IS_RETURN_IF_ERROR(spatialInts(c, "output_padding", spatial, 0, 0, outputPadding));

    Shape out{x[0], outChannels};
    if (c.node().hasAttr("output_shape")) {
        // Usually the spatial dims only; some exporters write N and C too.
        std::vector<int64_t> given = c.node().attrInts("output_shape");
        if (given.size() == x.size()) given.erase(given.begin(), given.begin() + 2);
        if (given.size() != spatial)
            return c.fail("attribute 'output_shape' has " + std::to_string(given.size()) + " values, " +
                          std::to_string(spatial) + " expected");
        out.insert(out.end(), given.begin(), given.end());
        return setChecked(c, 0, c.inputType(0), out);
    }
    for (size_t k = 0; k < spatial; ++k) {
        int64_t in = x[k + 2];
        int64_t size;
        if (w.autoPad == "SAME_UPPER" || w.autoPad == "SAME_LOWER") {
            if (!checkedMul(in, w.strides[k], size)) return c.fail("output size overflows");
        } else {
            // stride * (in - 1) + output_padding + (kernel - 1) * dilation + 1 - pads
            int64_t effective, grown, pads = 0;
            bool valid = w.autoPad == "VALID";
            if ((!valid && !checkedAdd(w.pads[k], w.pads[k + spatial], pads)) ||
                !checkedMul(w.kernel[k] - 1, w.dilations[k], effective) || !checkedAdd(effective, 1, effective) ||
                !checkedMul(w.strides[k], in - 1, grown) || !checkedAdd(grown, outputPadding[k], size) ||
                !checkedAdd(size, effective, size) || !checkedAdd(size, -pads, size))
                return c.fail("output size overflows");
        }
        if (size < 0)
            return c.fail("output size on spatial axis " + std::to_string(k) + " is negative (" + std::to_string(size) +
                          "): pads are larger than the output");
        out.push_back(size);
    }
    return setChecked(c, 0, c.inputType(0), out);
}

// MaxPool (optional int64 Indices output), AveragePool, LpPool.
Status poolRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, c.node().opType == "MaxPool" ? 2 : 1));
    const Shape& x = c.inputShape(0);
    if (x.size() < 3) return c.fail("input must have rank >= 3 (N, C, spatial...), not " + shapeToString(x));
    size_t spatial = x.size() - 2;
    Window w;
    IS_RETURN_IF_ERROR(readWindow(c, spatial, {}, w));
    Shape outSpatial;
    IS_RETURN_IF_ERROR(windowOutput(c, w, Shape(x.begin() + 2, x.end()), outSpatial));
    Shape out{x[0], x[1]};
    out.insert(out.end(), outSpatial.begin(), outSpatial.end());
    IS_RETURN_IF_ERROR(setChecked(c, 0, c.inputType(0), out));
    return setChecked(c, 1, DataType::Int64, out);
}

Status globalPoolRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    Shape out = c.inputShape(0);
    if (out.size() < 2) return c.fail("input must have rank >= 2 (N, C, spatial...), not " + shapeToString(out));
    for (size_t k = 2; k < out.size(); ++k) out[k] = 1;
    return setChecked(c, 0, c.inputType(0), out);
}

// ---------------------------------------------------------------- matrix products

Status gemmRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 3, 1));
    const Shape& a = c.inputShape(0);
    const Shape& b = c.inputShape(1);
    if (a.size() != 2 || b.size() != 2)
        return c.fail("A " + shapeToString(a) + " and B " + shapeToString(b) + " must both be 2-D");
    bool transA = c.node().attrInt("transA", 0) != 0;
    bool transB = c.node().attrInt("transB", 0) != 0;
    int64_t m = transA ? a[1] : a[0];
    int64_t ka = transA ? a[0] : a[1];
    int64_t kb = transB ? b[1] : b[0];
    int64_t n = transB ? b[0] : b[1];
    if (ka != kb)
        return c.fail("inner dimensions differ: A " + shapeToString(a) + (transA ? " (transposed)" : "") + " and B " +
                      shapeToString(b) + (transB ? " (transposed)" : ""));
    Shape out{m, n};
    if (c.hasInput(2)) {
        Shape merged;
        if (!broadcastShapes(c.inputShape(2), out, merged).isOk() || merged != out)
            return c.fail("C " + shapeToString(c.inputShape(2)) + " does not broadcast to " + shapeToString(out));
    }
    return setChecked(c, 0, c.inputType(0), out);
}

Status matMulRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 2, 1));
    Shape out;
    IS_RETURN_IF_ERROR(matMulOutputShape(c, c.inputShape(0), c.inputShape(1), out));
    return setChecked(c, 0, c.inputType(0), out);
}

// ---------------------------------------------------------------- layout ops

Status depthToSpaceRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    const Shape& x = c.inputShape(0);
    if (x.size() != 4) return c.fail("input must be 4-D (N, C, H, W), not " + shapeToString(x));
    int64_t block = c.node().attrInt("blocksize", 0);
    int64_t square;
    if (block < 1 || !checkedMul(block, block, square)) return c.fail("blocksize must be >= 1");
    if (x[1] % square != 0)
        return c.fail("channels " + std::to_string(x[1]) +
                      " are not divisible by blocksize^2 = " + std::to_string(square));
    int64_t h, w;
    if (!checkedMul(x[2], block, h) || !checkedMul(x[3], block, w)) return c.fail("output size overflows");
    return setChecked(c, 0, c.inputType(0), {x[0], x[1] / square, h, w});
}

Status spaceToDepthRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    const Shape& x = c.inputShape(0);
    if (x.size() != 4) return c.fail("input must be 4-D (N, C, H, W), not " + shapeToString(x));
    int64_t block = c.node().attrInt("blocksize", 0);
    int64_t square, channels;
    if (block < 1 || !checkedMul(block, block, square)) return c.fail("blocksize must be >= 1");
    if (x[2] % block != 0 || x[3] % block != 0)
        return c.fail("height and width " + std::to_string(x[2]) + "x" + std::to_string(x[3]) +
                      " are not divisible by blocksize " + std::to_string(block));
    if (!checkedMul(x[1], square, channels)) return c.fail("output size overflows");
    return setChecked(c, 0, c.inputType(0), {x[0], channels, x[2] / block, x[3] / block});
}

Status triluRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 2, 1));
    if (c.inputRank(0) < 2) return c.fail("input must have rank >= 2, not " + shapeToString(c.inputShape(0)));
    if (c.hasInput(1) && c.inputRank(1) != 0 && !(c.inputRank(1) == 1 && c.inputShape(1)[0] == 1))
        return c.fail("k must be a scalar, not " + shapeToString(c.inputShape(1)));
    return setChecked(c, 0, c.inputType(0), c.inputShape(0));
}

Status cumSumRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 2, 1));
    if (const TensorData* axis = knownValue(c, 1); axis && axis->elementCount() == 1 && isIntegerType(axis->dtype)) {
        int64_t a = readInt(*axis, 0);
        if (!normalizeAxis(a, c.inputRank(0)))
            return c.fail("axis " + std::to_string(readInt(*axis, 0)) + " is out of range for rank " +
                          std::to_string(c.inputRank(0)));
    }
    return setChecked(c, 0, c.inputType(0), c.inputShape(0));
}

}  // namespace

Status convOutputShape(const ShapeContext& c, const Shape& x, const Shape& weight, Shape& out) {
    if (x.size() < 3) return c.fail("input must have rank >= 3 (N, C, spatial...), not " + shapeToString(x));
    if (weight.size() != x.size())
        return c.fail("weight " + shapeToString(weight) + " and input " + shapeToString(x) + " differ in rank");
    int64_t group = c.node().attrInt("group", 1);
    if (group < 1) return c.fail("group must be >= 1");
    int64_t channels;
    if (!checkedMul(weight[1], group, channels) || channels != x[1])
        return c.fail("input has " + std::to_string(x[1]) + " channels but weight " + shapeToString(weight) +
                      " with group " + std::to_string(group) + " expects " + std::to_string(weight[1]) + "x" +
                      std::to_string(group));
    if (weight[0] % group != 0)
        return c.fail("output channels " + std::to_string(weight[0]) + " are not divisible by group " +
                      std::to_string(group));
    size_t spatial = x.size() - 2;
    Window w;
    IS_RETURN_IF_ERROR(readWindow(c, spatial, Shape(weight.begin() + 2, weight.end()), w));
    Shape outSpatial;
    IS_RETURN_IF_ERROR(windowOutput(c, w, Shape(x.begin() + 2, x.end()), outSpatial));
    out = {x[0], weight[0]};
    out.insert(out.end(), outSpatial.begin(), outSpatial.end());
    return Status::ok();
}

// numpy matmul: 1-D operands gain and then lose a dim; batch dims broadcast.
Status matMulOutputShape(const ShapeContext& c, Shape a, Shape b, Shape& out) {
    if (a.empty() || b.empty()) return c.fail("operands must have rank >= 1 (scalars cannot be multiplied)");
    const Shape givenA = a, givenB = b;
    bool vectorA = a.size() == 1;
    bool vectorB = b.size() == 1;
    if (vectorA) a.insert(a.begin(), 1);
    if (vectorB) b.push_back(1);
    if (a[a.size() - 1] != b[b.size() - 2])
        return c.fail("inner dimensions differ: " + shapeToString(givenA) + " times " + shapeToString(givenB));
    Shape batch;
    Status s = broadcastShapes(Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2), batch);
    if (!s.isOk()) return c.fail("batch dims: " + s.message());
    out = batch;
    if (!vectorA) out.push_back(a[a.size() - 2]);
    if (!vectorB) out.push_back(b[b.size() - 1]);
    return Status::ok();
}

namespace rules {

// The rules this family gives the op table (ops/op_table.cpp).
const ShapeRule conv = &convRule;
const ShapeRule convTranspose = &convTransposeRule;
const ShapeRule pool = &poolRule;
const ShapeRule globalPool = &globalPoolRule;
const ShapeRule gemm = &gemmRule;
const ShapeRule matMul = &matMulRule;
const ShapeRule softmax = &softmaxRule;
const ShapeRule lrn = &lrnRule;
const ShapeRule instanceNorm = &instanceNormRule;
const ShapeRule lpNorm = &lpNormRule;
const ShapeRule mvn = &mvnRule;
const ShapeRule batchNorm = &batchNormRule;
const ShapeRule layerNorm = &layerNormRule;
const ShapeRule dropout = &dropoutRule;
const ShapeRule depthToSpace = &depthToSpaceRule;
const ShapeRule spaceToDepth = &spaceToDepthRule;
const ShapeRule trilu = &triluRule;
const ShapeRule cumSum = &cumSumRule;

}  // namespace rules

}  // namespace interstage::shapes
