// Shape rules for the selection and detection ops: Compress, Unique,
// NonMaxSuppression (outputs sized by input values: resolved when those
// values are known, a clear failure when they only exist at run time),
// MaxUnpool, RoiAlign and GridSample (sized by shapes and attributes).
#include <string>
#include <vector>

#include "model/fold_util.h"
#include "model/shape_rules.h"
#include "ops/box_selection.h"
#include "ops/unique_slices.h"

namespace interstage::shapes {

namespace {

using namespace fold;

// "<what> depends on the values of input 'x', which are only known at run
// time, ..." for an input whose values size the output.
Status valuesOnlyAtRunTime(const ShapeContext& c, size_t i, const std::string& what) {
    return c.fail(what + " depends on the values of input '" + c.input(i).name +
                  "', which are only known at run time, so the output shape cannot be resolved before running");
}

Status compressRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 2, 1));
    Shape x = c.inputShape(0);
    if (c.inputRank(1) != 1) return c.fail("condition must be 1-D, not " + shapeToString(c.inputShape(1)));
    const bool hasAxis = c.node().hasAttr("axis");
    int64_t axis = c.node().attrInt("axis", 0);
    if (hasAxis && !normalizeAxis(axis, static_cast<int64_t>(x.size())))
        return c.fail("axis " + std::to_string(c.node().attrInt("axis", 0)) + " is out of range for rank " +
                      std::to_string(x.size()));
    int64_t length = 1;
    if (hasAxis)
        length = x[static_cast<size_t>(axis)];
    else
        for (int64_t d : x) length *= d;
    const TensorData* condition = knownValue(c, 1);
    if (!condition || !isFoldableType(condition->dtype))
        return valuesOnlyAtRunTime(c, 1, "the number of true elements");
    if (condition->elementCount() > length)
        return c.fail("condition has " + std::to_string(condition->elementCount()) + " elements, more than the " +
                      std::to_string(length) + " it selects from");
    int64_t kept = 0;
    for (int64_t i = 0; i < condition->elementCount(); ++i)
        if (readDouble(*condition, i) != 0) ++kept;
    if (!hasAxis) return setChecked(c, 0, c.inputType(0), Shape{kept});
    x[static_cast<size_t>(axis)] = kept;
    return setChecked(c, 0, c.inputType(0), x);
}

Status uniqueRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 4));
    const Shape& x = c.inputShape(0);
    const bool hasAxis = c.node().hasAttr("axis");
    int64_t axis = c.node().attrInt("axis", 0);
    if (hasAxis && !normalizeAxis(axis, static_cast<int64_t>(x.size())))
        return c.fail("axis " + std::to_string(c.node().attrInt("axis", 0)) + " is out of range for rank " +
                      std::to_string(x.size()));
    const TensorData* value = knownValue(c, 0);
    if (!value || !isFoldableType(value->dtype)) return valuesOnlyAtRunTime(c, 0, "the number of unique values");
    ops::SliceLayout layout;
    if (hasAxis) {
        const auto a = static_cast<size_t>(axis);
        for (size_t k = 0; k < a; ++k) layout.outer *= x[k];
        layout.length = x[a];
        for (size_t k = a + 1; k < x.size(); ++k) layout.inner *= x[k];
    } else {
        layout.length = value->elementCount();
    }
    // Doubles hold every foldable dtype's values exactly enough to group
    // them (int64 beyond 2^53 aside).
    std::vector<double> values(static_cast<size_t>(value->elementCount()));
    for (int64_t i = 0; i < value->elementCount(); ++i) values[static_cast<size_t>(i)] = readDouble(*value, i);
    const bool sorted = c.node().attrInt("sorted", 1) != 0;
    const auto groups = ops::uniqueSlices(values.data(), layout, sorted, [](double v) { return v; });
    const auto unique = static_cast<int64_t>(groups.first.size());
    Shape y = hasAxis ? x : Shape{unique};
    if (hasAxis) y[static_cast<size_t>(axis)] = unique;
    IS_RETURN_IF_ERROR(setChecked(c, 0, c.inputType(0), y));
    IS_RETURN_IF_ERROR(setChecked(c, 1, DataType::Int64, Shape{unique}));
    IS_RETURN_IF_ERROR(setChecked(c, 2, DataType::Int64, Shape{layout.length}));
    return setChecked(c, 3, DataType::Int64, Shape{unique});
}

// A known scalar (or one-element) input as a double; fallback when omitted.
Status optionalScalar(const ShapeContext& c, size_t i, const std::string& role, double fallback, double& out) {
    out = fallback;
    if (!c.hasInput(i)) return Status::ok();
    const TensorData* t = knownValue(c, i);
    if (!t || !isFoldableType(t->dtype)) return valuesOnlyAtRunTime(c, i, "the output size");
    if (t->elementCount() != 1) return c.fail(role + " must hold one value, not " + shapeToString(t->shape));
    out = readDouble(*t, 0);
    return Status::ok();
}

// Known input i as floats (converted when stored as another dtype).
std::vector<float> floatsOf(const TensorData& t) {
    if (t.dtype == DataType::Float) return std::vector<float>(t.data<float>(), t.data<float>() + t.elementCount());
    std::vector<float> out(static_cast<size_t>(t.elementCount()));
    for (int64_t i = 0; i < t.elementCount(); ++i) out[static_cast<size_t>(i)] = static_cast<float>(readDouble(t, i));
    return out;
}

Status nonMaxSuppressionRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 5, 1));
    const Shape& boxes = c.inputShape(0);
    const Shape& scores = c.inputShape(1);
    if (boxes.size() != 3 || boxes[2] != 4)
        return c.fail("boxes must be [batches, boxes, 4], not " + shapeToString(boxes));
    if (scores.size() != 3 || scores[0] != boxes[0] || scores[2] != boxes[1])
        return c.fail("scores must be [batches, classes, boxes] = [" + std::to_string(boxes[0]) + ", classes, " +
                      std::to_string(boxes[1]) + "], not " + shapeToString(scores));
    const int64_t centerPointBox = c.node().attrInt("center_point_box", 0);
    if (centerPointBox != 0 && centerPointBox != 1)
        return c.fail("center_point_box must be 0 or 1, not " + std::to_string(centerPointBox));
    ops::BoxSelectionParams params;
    params.centerPointBox = centerPointBox == 1;
    double maxPerClass = 0, iou = 0, scoreThreshold = 0;
    IS_RETURN_IF_ERROR(optionalScalar(c, 2, "max_output_boxes_per_class", 0, maxPerClass));
    IS_RETURN_IF_ERROR(optionalScalar(c, 3, "iou_threshold", 0, iou));
    IS_RETURN_IF_ERROR(optionalScalar(c, 4, "score_threshold", 0, scoreThreshold));
    params.maxPerClass = toInt64(maxPerClass);
    params.iouThreshold = static_cast<float>(iou);
    params.hasScoreThreshold = c.hasInput(4);
    params.scoreThreshold = static_cast<float>(scoreThreshold);
    const TensorData* boxValues = knownValue(c, 0);
    const TensorData* scoreValues = knownValue(c, 1);
    if (!boxValues || !isFoldableType(boxValues->dtype))
        return valuesOnlyAtRunTime(c, 0, "the number of selected boxes");
    if (!scoreValues || !isFoldableType(scoreValues->dtype))
        return valuesOnlyAtRunTime(c, 1, "the number of selected boxes");
    const std::vector<float> boxFloats = floatsOf(*boxValues), scoreFloats = floatsOf(*scoreValues);
    const auto selected = ops::selectBoxes(boxFloats.data(), scoreFloats.data(), {scores[0], scores[1], scores[2]},
                                           params, /*parallel=*/true);
    return setChecked(c, 0, DataType::Int64, Shape{static_cast<int64_t>(selected.size()), 3});
}

Status maxUnpoolRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 3, 1));
    const Shape& x = c.inputShape(0);
    if (x.size() < 3) return c.fail("X must be [N, C, spatial...], not " + shapeToString(x));
    if (c.inputShape(1) != x)
        return c.fail("indices " + shapeToString(c.inputShape(1)) + " must have X's shape " + shapeToString(x));
    const size_t spatial = x.size() - 2;
    if (c.hasInput(2)) {
        std::vector<int64_t> outShape;
        IS_RETURN_IF_ERROR(readInts(c, 2, "output_shape", outShape));
        if (outShape.size() != x.size())
            return c.fail("output_shape has " + std::to_string(outShape.size()) + " dims, X has " +
                          std::to_string(x.size()));
        return setChecked(c, 0, c.inputType(0), Shape(outShape.begin(), outShape.end()));
    }
    const std::vector<int64_t> kernel = c.node().attrInts("kernel_shape");
    if (kernel.size() != spatial)
        return c.fail("kernel_shape must have " + std::to_string(spatial) + " values, one per spatial dim");
    std::vector<int64_t> strides = c.node().attrInts("strides");
    if (strides.empty()) strides.assign(spatial, 1);
    std::vector<int64_t> pads = c.node().attrInts("pads");
    if (pads.empty()) pads.assign(2 * spatial, 0);
    if (strides.size() != spatial || pads.size() != 2 * spatial)
        return c.fail("strides / pads do not match the " + std::to_string(spatial) + " spatial dims");
    Shape y = x;
    for (size_t d = 0; d < spatial; ++d) {
        if (kernel[d] < 1 || strides[d] < 1) return c.fail("kernel_shape and strides must be positive");
        y[d + 2] = (x[d + 2] - 1) * strides[d] - (pads[d] + pads[d + spatial]) + kernel[d];
    }
    return setChecked(c, 0, c.inputType(0), y);
}

Status roiAlignRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 3, 3, 1));
    const Shape& x = c.inputShape(0);
    const Shape& rois = c.inputShape(1);
    if (x.size() != 4) return c.fail("X must be [N, C, H, W], not " + shapeToString(x));
    if (rois.size() != 2 || rois[1] != 4) return c.fail("rois must be [num_rois, 4], not " + shapeToString(rois));
    if (c.inputShape(2) != Shape{rois[0]})
        return c.fail("batch_indices must be [" + std::to_string(rois[0]) + "], not " + shapeToString(c.inputShape(2)));
    const int64_t height = c.node().attrInt("output_height", 1), width = c.node().attrInt("output_width", 1);
    if (height < 1 || width < 1) return c.fail("output_height and output_width must be positive");
    return setChecked(c, 0, c.inputType(0), Shape{rois[0], x[1], height, width});
}

Status gridSampleRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 2, 1));
    const Shape& x = c.inputShape(0);
    const Shape& grid = c.inputShape(1);
    if (x.size() < 3) return c.fail("X must be [N, C, spatial...], not " + shapeToString(x));
    const size_t spatial = x.size() - 2;
    if (grid.size() != x.size() || grid[0] != x[0] || grid.back() != static_cast<int64_t>(spatial))
        return c.fail("grid must be [" + std::to_string(x[0]) + ", out spatial..., " + std::to_string(spatial) +
                      "] for X " + shapeToString(x) + ", not " + shapeToString(grid));
    Shape y{x[0], x[1]};
    y.insert(y.end(), grid.begin() + 1, grid.end() - 1);
    return setChecked(c, 0, c.inputType(0), y);
}

}  // namespace

namespace rules {

// The rules this family gives the op table (ops/op_table.cpp).
const ShapeRule compress = &compressRule;
const ShapeRule unique = &uniqueRule;
const ShapeRule nonMaxSuppression = &nonMaxSuppressionRule;
const ShapeRule maxUnpool = &maxUnpoolRule;
const ShapeRule roiAlign = &roiAlignRule;
const ShapeRule gridSample = &gridSampleRule;

}  // namespace rules

}  // namespace interstage::shapes
