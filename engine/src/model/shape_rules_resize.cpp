// Shape rules for Resize and Upsample: output sizes from `sizes` or from
// `scales` (rounded down, as ONNX says), per axis or for some axes only.
#include <cmath>
#include <string>
#include <vector>

#include "model/fold_util.h"
#include "model/shape_rules.h"

namespace interstage::shapes {

namespace {

using namespace fold;

// floor(dim * scale) in float, as ONNX's own inference and runtimes do.
Status scaledDim(const ShapeContext& c, int64_t dim, double scale, int64_t& out) {
    if (!(scale > 0) || !std::isfinite(scale)) return c.fail("scale " + std::to_string(scale) + " must be positive");
    float product = static_cast<float>(dim) * static_cast<float>(scale);
    if (!(product < static_cast<float>(kMaxElements))) return c.fail("scaled size is absurdly large");
    out = static_cast<int64_t>(std::floor(product));
    return Status::ok();
}

Status resizeRule(ShapeContext& c) {
    bool opset10 = opsetBefore(c, 11);
    IS_RETURN_IF_ERROR(checkArity(c, opset10 ? 2 : 1, opset10 ? 2 : 4, 1));
    const Shape& in = c.inputShape(0);
    auto rank = static_cast<int64_t>(in.size());
    std::vector<int64_t> axes = c.node().attrInts("axes");
    if (axes.empty())
        for (int64_t k = 0; k < rank; ++k) axes.push_back(k);
    IS_RETURN_IF_ERROR(normalizeAxes(c, axes, rank));
    Shape out = in;
    size_t scalesInput = opset10 ? 1 : 2;
    bool useSizes = !opset10 && c.hasInput(3) && elementCount(c.inputShape(3)).value_or(0) > 0;
    if (useSizes) {
        std::vector<int64_t> sizes;
        IS_RETURN_IF_ERROR(readInts(c, 3, "sizes", sizes));
        if (sizes.size() != axes.size())
            return c.fail("sizes has " + std::to_string(sizes.size()) + " values for " + std::to_string(axes.size()) +
                          " axes");
        std::string policy = c.node().attrString("keep_aspect_ratio_policy", "stretch");
        if (policy == "stretch") {
            for (size_t k = 0; k < axes.size(); ++k) {
                if (sizes[k] < 0) return c.fail("sizes must be >= 0");
                out[static_cast<size_t>(axes[k])] = sizes[k];
            }
        } else if (policy == "not_larger" || policy == "not_smaller") {
            // One scale for all the axes, the smallest (largest) that fits.
            double scale = policy == "not_larger" ? INFINITY : 0.0;
            for (size_t k = 0; k < axes.size(); ++k) {
                int64_t dim = in[static_cast<size_t>(axes[k])];
                if (dim == 0 || sizes[k] < 0) return c.fail("cannot keep the aspect ratio of an empty axis");
                double s = static_cast<double>(sizes[k]) / static_cast<double>(dim);
                scale = policy == "not_larger" ? std::min(scale, s) : std::max(scale, s);
            }
            for (int64_t axis : axes) {
                double size = std::floor(scale * static_cast<double>(in[static_cast<size_t>(axis)]) + 0.5);
                if (!(size < static_cast<double>(kMaxElements))) return c.fail("resized size is absurdly large");
                out[static_cast<size_t>(axis)] = static_cast<int64_t>(size);
            }
        } else {
            return c.fail("unknown keep_aspect_ratio_policy '" + policy + "'");
        }
        return setChecked(c, 0, c.inputType(0), out);
    }
    if (!c.hasInput(scalesInput) || elementCount(c.inputShape(scalesInput)).value_or(0) == 0)
        return c.fail("neither scales nor sizes is given");
    std::vector<double> scales;
    IS_RETURN_IF_ERROR(readDoubles(c, scalesInput, "scales", scales));
    if (scales.size() != axes.size())
        return c.fail("scales has " + std::to_string(scales.size()) + " values for " + std::to_string(axes.size()) +
                      " axes");
    for (size_t k = 0; k < axes.size(); ++k) {
        auto a = static_cast<size_t>(axes[k]);
        IS_RETURN_IF_ERROR(scaledDim(c, in[a], scales[k], out[a]));
    }
    return setChecked(c, 0, c.inputType(0), out);
}

// Upsample: scales from attributes (height_scale / width_scale in opset 1,
// scales until 8), from an input since opset 9.
Status upsampleRule(ShapeContext& c) {
    bool fromAttr = opsetBefore(c, 9);
    IS_RETURN_IF_ERROR(checkArity(c, fromAttr ? 1 : 2, fromAttr ? 1 : 2, 1));
    const Shape& in = c.inputShape(0);
    std::vector<double> scales;
    if (!fromAttr) {
        IS_RETURN_IF_ERROR(readDoubles(c, 1, "scales", scales));
    } else if (c.node().hasAttr("scales")) {
        for (float s : c.node().attrFloats("scales")) scales.push_back(s);
    } else if (in.size() == 4) {
        scales = {1.0, 1.0, c.node().attrFloat("height_scale", 1.0f), c.node().attrFloat("width_scale", 1.0f)};
    }
    if (scales.size() != in.size())
        return c.fail("scales has " + std::to_string(scales.size()) + " values for rank " + std::to_string(in.size()));
    Shape out = in;
    for (size_t k = 0; k < in.size(); ++k) IS_RETURN_IF_ERROR(scaledDim(c, in[k], scales[k], out[k]));
    return setChecked(c, 0, c.inputType(0), out);
}

}  // namespace

namespace rules {

const ShapeRule resize = &resizeRule;
const ShapeRule upsample = &upsampleRule;

}  // namespace rules

}  // namespace interstage::shapes
