#include "cpu/ops/tensor/resize_plan.h"

#include <algorithm>
#include <cmath>

namespace interstage::cpu::tensor {

bool parseResizeMode(const std::string& text, ResizeMode& mode) {
    if (text == "nearest")
        mode = ResizeMode::Nearest;
    else if (text == "linear" || text == "bilinear")
        mode = ResizeMode::Linear;  // Upsample-1 said bilinear
    else if (text == "cubic")
        mode = ResizeMode::Cubic;
    else
        return false;
    return true;
}

bool parseCoordinateMode(const std::string& text, CoordinateMode& mode) {
    if (text == "half_pixel")
        mode = CoordinateMode::HalfPixel;
    else if (text == "pytorch_half_pixel")
        mode = CoordinateMode::PytorchHalfPixel;
    else if (text == "align_corners")
        mode = CoordinateMode::AlignCorners;
    else if (text == "asymmetric")
        mode = CoordinateMode::Asymmetric;
    else if (text == "tf_half_pixel_for_nn")
        mode = CoordinateMode::TfHalfPixelForNn;
    else if (text == "tf_crop_and_resize")
        mode = CoordinateMode::TfCropAndResize;
    else
        return false;
    return true;
}

bool parseNearestMode(const std::string& text, NearestMode& mode) {
    if (text == "round_prefer_floor")
        mode = NearestMode::RoundPreferFloor;
    else if (text == "round_prefer_ceil")
        mode = NearestMode::RoundPreferCeil;
    else if (text == "floor")
        mode = NearestMode::Floor;
    else if (text == "ceil")
        mode = NearestMode::Ceil;
    else
        return false;
    return true;
}

bool parseAspectPolicy(const std::string& text, AspectPolicy& policy) {
    if (text == "stretch")
        policy = AspectPolicy::Stretch;
    else if (text == "not_larger")
        policy = AspectPolicy::NotLarger;
    else if (text == "not_smaller")
        policy = AspectPolicy::NotSmaller;
    else
        return false;
    return true;
}

namespace {

struct AxisGeometry {
    int64_t inDim = 1;
    int64_t outDim = 1;
    double scale = 1.0;
    // scale * inDim as the ONNX reference computes it: the float32 product
    // when scales were given, the float64 one for sizes. align_corners and
    // tf_crop_and_resize divide by it, so a 0.6 downscale of 4 uses 2.4,
    // not the 2 output pixels.
    double outLength = 1.0;
    double roiStart = 0.0;
    double roiEnd = 1.0;
};

// The input coordinate (continuous) that output coordinate x samples.
double sourceCoordinate(CoordinateMode mode, double x, const AxisGeometry& g) {
    const auto in = static_cast<double>(g.inDim);
    switch (mode) {
        case CoordinateMode::HalfPixel:
            return (x + 0.5) / g.scale - 0.5;
        case CoordinateMode::PytorchHalfPixel:
            return g.outLength == 1.0 ? -0.5 : (x + 0.5) / g.scale - 0.5;
        case CoordinateMode::AlignCorners:
            return g.outLength == 1.0 ? 0.0 : x * (in - 1) / (g.outLength - 1);
        case CoordinateMode::Asymmetric:
            return x / g.scale;
        case CoordinateMode::TfHalfPixelForNn:
            return (x + 0.5) / g.scale;
        case CoordinateMode::TfCropAndResize: {
            double span = g.roiEnd - g.roiStart;
            double start = g.roiStart * (in - 1);
            return g.outLength == 1.0 ? span * (in - 1) / 2 + start : x * span * (in - 1) / (g.outLength - 1) + start;
        }
    }
    return x;
}

int64_t nearestIndex(NearestMode mode, double x, double scale) {
    switch (mode) {
        case NearestMode::RoundPreferFloor:
            return static_cast<int64_t>(std::ceil(x - 0.5));
        case NearestMode::RoundPreferCeil:
            return static_cast<int64_t>(std::floor(x + 0.5));
        case NearestMode::Floor:
            return static_cast<int64_t>(std::floor(x));
        case NearestMode::Ceil:
            return static_cast<int64_t>(std::ceil(x));
        case NearestMode::Legacy:
            return static_cast<int64_t>(scale < 1.0 ? std::ceil(x) : std::trunc(x));
    }
    return 0;
}

// Keys' cubic convolution weights for the taps at distances 1 + r, r,
// 1 - r and 2 - r from the sample point.
void cubicWeights(double r, double a, double w[4]) {
    auto near = [a](double d) { return ((a + 2) * d - (a + 3)) * d * d + 1; };       // |d| <= 1
    auto far = [a](double d) { return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a; };  // 1 < |d| < 2
    w[0] = far(r + 1);
    w[1] = near(r);
    w[2] = near(1 - r);
    w[3] = far(2 - r);
}

AxisTaps planAxis(const ResizeAttributes& attributes, const AxisGeometry& g) {
    AxisTaps t;
    t.taps = attributes.mode == ResizeMode::Nearest ? 1 : attributes.mode == ResizeMode::Linear ? 2 : 4;
    const auto n = static_cast<size_t>(g.outDim);
    const auto taps = static_cast<size_t>(t.taps);
    t.index.assign(n * taps, 0);
    t.weight.assign(n * taps, 0.0f);
    t.outside.assign(n, 0);
    const int64_t last = g.inDim - 1;
    auto clampIndex = [last](int64_t i) { return std::clamp<int64_t>(i, 0, last); };
    for (size_t o = 0; o < n; ++o) {
        double x = sourceCoordinate(attributes.coordinates, static_cast<double>(o), g);
        if (attributes.coordinates == CoordinateMode::TfCropAndResize && (x < 0 || x > static_cast<double>(last))) {
            t.outside[o] = 1;
            t.anyOutside = true;
            t.index[o * taps] = 0;
            t.weight[o * taps] = 0.0f;
            continue;
        }
        int64_t* index = &t.index[o * taps];
        float* weight = &t.weight[o * taps];
        if (attributes.mode == ResizeMode::Nearest) {
            index[0] = clampIndex(nearestIndex(attributes.nearest, x, g.scale));
            weight[0] = 1.0f;
            continue;
        }
        double base = std::floor(x);
        double r = x - base;
        auto i0 = static_cast<int64_t>(base);
        if (attributes.mode == ResizeMode::Linear) {
            index[0] = clampIndex(i0);
            index[1] = clampIndex(i0 + 1);
            weight[0] = static_cast<float>(1 - r);
            weight[1] = static_cast<float>(r);
            continue;
        }
        double w[4];
        cubicWeights(r, attributes.cubicA, w);
        double sum = 0;
        for (int k = 0; k < 4; ++k) {
            int64_t i = i0 - 1 + k;
            if (attributes.excludeOutside && (i < 0 || i > last)) w[k] = 0;
            sum += w[k];
        }
        for (size_t k = 0; k < 4; ++k) {
            index[k] = clampIndex(i0 - 1 + static_cast<int64_t>(k));
            weight[k] = static_cast<float>(attributes.excludeOutside && sum != 0 ? w[k] / sum : w[k]);
        }
    }
    // An axis that maps every coordinate onto itself costs nothing: all
    // of its weight on its own index (clamped taps may repeat it).
    t.identity = g.inDim == g.outDim && !t.anyOutside;
    for (size_t o = 0; o < n && t.identity; ++o) {
        double self = 0, other = 0;
        for (size_t k = 0; k < taps; ++k) {
            float w = t.weight[o * taps + k];
            if (t.index[o * taps + k] == static_cast<int64_t>(o))
                self += w;
            else
                other += std::fabs(w);
        }
        t.identity = self == 1.0 && other == 0.0;
    }
    return t;
}

}  // namespace

Status planResize(const ResizeAttributes& attributes, const ResizeParams& params, const Shape& in, const Shape& out,
                  std::vector<AxisTaps>& axes) {
    const size_t rank = in.size();
    if (out.size() != rank) return invalidModel("the output rank differs from the input's");
    std::vector<int64_t> resized = attributes.axes;
    if (resized.empty())
        for (size_t k = 0; k < rank; ++k) resized.push_back(static_cast<int64_t>(k));
    const bool fromSizes = !params.sizes.empty();
    const size_t given = fromSizes ? params.sizes.size() : params.scales.size();
    if (given != resized.size())
        return invalidModel("" + std::string(fromSizes ? "sizes" : "scales") + " has " + std::to_string(given) +
                            " values for " + std::to_string(resized.size()) + " axes");
    std::vector<AxisGeometry> geometry(rank);
    for (size_t k = 0; k < rank; ++k) geometry[k] = {in[k], out[k], 1.0, static_cast<double>(in[k]), 0.0, 1.0};

    // One scale per resized axis; keep_aspect_ratio_policy uses one for all.
    std::vector<double> scales(resized.size());
    for (size_t j = 0; j < resized.size(); ++j) {
        auto inDim = static_cast<double>(in[static_cast<size_t>(resized[j])]);
        scales[j] = fromSizes ? static_cast<double>(params.sizes[j]) / inDim : params.scales[j];
    }
    if (fromSizes && attributes.aspect != AspectPolicy::Stretch) {
        double common = attributes.aspect == AspectPolicy::NotLarger ? *std::min_element(scales.begin(), scales.end())
                                                                     : *std::max_element(scales.begin(), scales.end());
        std::fill(scales.begin(), scales.end(), common);
    }
    for (size_t j = 0; j < resized.size(); ++j) {
        AxisGeometry& g = geometry[static_cast<size_t>(resized[j])];
        if (!(scales[j] > 0) || !std::isfinite(scales[j])) return invalidModel("scales must be positive");
        g.scale = scales[j];
        g.outLength = fromSizes ? g.scale * static_cast<double>(g.inDim)
                                : static_cast<double>(static_cast<float>(g.scale) * static_cast<float>(g.inDim));
        if (attributes.coordinates == CoordinateMode::TfCropAndResize && !params.roi.empty()) {
            if (params.roi.size() != 2 * resized.size())
                return invalidModel("roi must hold a start and an end per axis");
            g.roiStart = params.roi[j];
            g.roiEnd = params.roi[j + resized.size()];
        }
    }
    axes.clear();
    for (size_t k = 0; k < rank; ++k) {
        if (in[k] <= 0 && out[k] > 0) return invalidModel("cannot resize an empty axis");
        axes.push_back(planAxis(attributes, geometry[k]));
    }
    return Status::ok();
}

}  // namespace interstage::cpu::tensor
