#include "cpu/ops/nn/window.h"

#include <algorithm>

namespace interstage::cpu::nn {

namespace {

Status spatialInts(const PrepareContext& context, const char* name, size_t count, int64_t fallback, int64_t minimum,
                   std::vector<int64_t>& out) {
    if (!context.node().hasAttr(name)) {
        out.assign(count, fallback);
        return Status::ok();
    }
    out = context.node().attrInts(name);
    if (out.size() != count)
        return context.invalidHere("attribute '" + std::string(name) + "' has " + std::to_string(out.size()) +
                                   " values, " + std::to_string(count) + " expected");
    for (int64_t v : out)
        if (v < minimum)
            return context.invalidHere("attribute '" + std::string(name) + "' holds " + std::to_string(v) +
                                       " (must be >= " + std::to_string(minimum) + ")");
    return Status::ok();
}

int64_t floorDiv2(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

}  // namespace

Status readWindow(const PrepareContext& context, size_t spatial, const std::vector<int64_t>& kernelFromWeights,
                  Window& window) {
    const Node& node = context.node();
    if (node.hasAttr("kernel_shape")) {
        IS_RETURN_IF_ERROR(spatialInts(context, "kernel_shape", spatial, 1, 1, window.kernel));
        if (!kernelFromWeights.empty() && window.kernel != kernelFromWeights)
            return context.invalidHere("kernel_shape " + shapeToString(window.kernel) +
                                       " does not match the weight's " + shapeToString(kernelFromWeights));
    } else if (!kernelFromWeights.empty()) {
        window.kernel = kernelFromWeights;
        for (int64_t k : window.kernel)
            if (k < 1) return context.invalidHere("weight has an empty kernel " + shapeToString(window.kernel));
    } else {
        return context.invalidHere("attribute 'kernel_shape' is missing");
    }
    IS_RETURN_IF_ERROR(spatialInts(context, "strides", spatial, 1, 1, window.strides));
    IS_RETURN_IF_ERROR(spatialInts(context, "dilations", spatial, 1, 1, window.dilations));
    std::vector<int64_t> pads;
    IS_RETURN_IF_ERROR(spatialInts(context, "pads", 2 * spatial, 0, 0, pads));
    window.padBegin.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(spatial));
    window.padEnd.assign(pads.begin() + static_cast<std::ptrdiff_t>(spatial), pads.end());
    window.autoPad = node.attrString("auto_pad", "NOTSET");
    if (window.autoPad.empty()) window.autoPad = "NOTSET";
    if (window.autoPad != "NOTSET" && window.autoPad != "SAME_UPPER" && window.autoPad != "SAME_LOWER" &&
        window.autoPad != "VALID")
        return context.invalidHere("unknown auto_pad '" + window.autoPad + "'");
    if (window.autoPad == "VALID") {
        std::fill(window.padBegin.begin(), window.padBegin.end(), 0);
        std::fill(window.padEnd.begin(), window.padEnd.end(), 0);
    }
    return Status::ok();
}

void splitPadding(int64_t total, bool upper, int64_t& begin, int64_t& end) {
    if (upper) {
        begin = floorDiv2(total);
        end = total - begin;
    } else {
        end = floorDiv2(total);
        begin = total - end;
    }
}

void resolveForwardPads(Window& window, const Shape& inSpatial, const Shape& outSpatial) {
    if (!window.samePadding()) return;
    for (size_t k = 0; k < window.rank(); ++k) {
        int64_t total = std::max<int64_t>(0, (outSpatial[k] - 1) * window.strides[k] + window.extent(k) - inSpatial[k]);
        splitPadding(total, window.autoPad == "SAME_UPPER", window.padBegin[k], window.padEnd[k]);
    }
}

}  // namespace interstage::cpu::nn
