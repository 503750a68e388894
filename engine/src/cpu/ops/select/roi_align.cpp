// RoiAlign: each region of interest is cut into output_height x
// output_width bins; each bin averages (or maxes) bilinear samples on a
// regular grid (sampling_ratio per side, or ceil(bin size) when 0). The
// sample positions and weights depend only on the roi, so they are
// computed once per roi and reused for every channel; rois run in parallel.
// Out-of-range samples contribute zero, as ONNX and ONNX Runtime define it.
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "cpu/ops/select/select_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::selection {

namespace {

// One bilinear sample: four feature-map offsets and their weights.
struct Sample {
    int64_t p1, p2, p3, p4;
    float w1, w2, w3, w4;
};

struct RoiParams {
    int64_t batches = 0, channels = 0, height = 0, width = 0, pooledH = 1, pooledW = 1, samplingRatio = 0;
    float spatialScale = 1.f;
    bool halfPixel = true, maxMode = false;
};

Sample sampleAt(float y, float x, int64_t height, int64_t width) {
    if (y < -1.f || y > static_cast<float>(height) || x < -1.f || x > static_cast<float>(width))
        return {0, 0, 0, 0, 0.f, 0.f, 0.f, 0.f};
    y = std::max(y, 0.f);
    x = std::max(x, 0.f);
    auto yLow = static_cast<int64_t>(y), xLow = static_cast<int64_t>(x);
    int64_t yHigh, xHigh;
    if (yLow >= height - 1) {
        yHigh = yLow = height - 1;
        y = static_cast<float>(yLow);
    } else {
        yHigh = yLow + 1;
    }
    if (xLow >= width - 1) {
        xHigh = xLow = width - 1;
        x = static_cast<float>(xLow);
    } else {
        xHigh = xLow + 1;
    }
    const float ly = y - static_cast<float>(yLow), lx = x - static_cast<float>(xLow);
    const float hy = 1.f - ly, hx = 1.f - lx;
    return {yLow * width + xLow,
            yLow * width + xHigh,
            yHigh * width + xLow,
            yHigh * width + xHigh,
            hy * hx,
            hy * lx,
            ly * hx,
            ly * lx};
}

// Samples one roi may take (sampling_ratio 0 takes ceil(bin size) per
// side): a bound so a huge or non-finite roi fails instead of asking for
// unbounded memory.
constexpr double kMaxSamplesPerRoi = double(1 << 24);

template <class T>
bool alignOne(const RoiParams& p, const T* roi, const T* image, T* out, std::vector<Sample>& samples) {
    const float offset = p.halfPixel ? 0.5f : 0.f;
    const float startW = static_cast<float>(roi[0]) * p.spatialScale - offset;
    const float startH = static_cast<float>(roi[1]) * p.spatialScale - offset;
    const float endW = static_cast<float>(roi[2]) * p.spatialScale - offset;
    const float endH = static_cast<float>(roi[3]) * p.spatialScale - offset;
    float roiW = endW - startW, roiH = endH - startH;
    if (!p.halfPixel) {  // output_half_pixel keeps the legacy minimum size of 1
        roiW = std::max(roiW, 1.f);
        roiH = std::max(roiH, 1.f);
    }
    const float binH = roiH / static_cast<float>(p.pooledH), binW = roiW / static_cast<float>(p.pooledW);
    const double gridHd = p.samplingRatio > 0 ? double(p.samplingRatio) : std::ceil(double(binH));
    const double gridWd = p.samplingRatio > 0 ? double(p.samplingRatio) : std::ceil(double(binW));
    if (!(gridHd * gridWd * double(p.pooledH * p.pooledW) <= kMaxSamplesPerRoi)) return false;  // NaN fails too
    const auto gridH = static_cast<int64_t>(gridHd), gridW = static_cast<int64_t>(gridWd);
    const int64_t perBin = std::max<int64_t>(gridH * gridW, 0);
    const float count = static_cast<float>(std::max<int64_t>(perBin, 1));

    samples.resize(static_cast<size_t>(p.pooledH * p.pooledW * perBin));
    size_t s = 0;
    for (int64_t ph = 0; ph < p.pooledH; ++ph)
        for (int64_t pw = 0; pw < p.pooledW; ++pw)
            for (int64_t iy = 0; iy < gridH; ++iy) {
                const float y = startH + static_cast<float>(ph) * binH +
                                (static_cast<float>(iy) + 0.5f) * binH / static_cast<float>(gridH);
                for (int64_t ix = 0; ix < gridW; ++ix) {
                    const float x = startW + static_cast<float>(pw) * binW +
                                    (static_cast<float>(ix) + 0.5f) * binW / static_cast<float>(gridW);
                    samples[s++] = sampleAt(y, x, p.height, p.width);
                }
            }

    const int64_t plane = p.height * p.width, bins = p.pooledH * p.pooledW;
    for (int64_t ch = 0; ch < p.channels; ++ch) {
        const T* data = image + ch * plane;
        T* dst = out + ch * bins;
        const Sample* sample = samples.data();
        for (int64_t b = 0; b < bins; ++b, sample += perBin) {
            float value = 0.f;
            if (!p.maxMode) {
                for (int64_t k = 0; k < perBin; ++k) {
                    const Sample& q = sample[k];
                    value += q.w1 * static_cast<float>(data[q.p1]) + q.w2 * static_cast<float>(data[q.p2]) +
                             q.w3 * static_cast<float>(data[q.p3]) + q.w4 * static_cast<float>(data[q.p4]);
                }
                value /= count;
            } else {
                // ONNX's max mode takes the largest weighted corner of each
                // sample, not the largest interpolated value.
                for (int64_t k = 0; k < perBin; ++k) {
                    const Sample& q = sample[k];
                    const float v = std::max(
                        std::max(q.w1 * static_cast<float>(data[q.p1]), q.w2 * static_cast<float>(data[q.p2])),
                        std::max(q.w3 * static_cast<float>(data[q.p3]), q.w4 * static_cast<float>(data[q.p4])));
                    value = k == 0 ? v : std::max(value, v);
                }
            }
            dst[b] = static_cast<T>(value);
        }
    }
    return true;
}

// Empty when every roi was aligned, else why not.
template <class T>
std::string alignAll(const RoiParams& p, const void* x, const void* rois, const int64_t* batchIndex, int64_t roiCount,
                     void* y, bool parallel) {
    for (int64_t r = 0; r < roiCount; ++r)
        if (batchIndex[r] < 0 || batchIndex[r] >= p.batches)
            return "batch index " + std::to_string(batchIndex[r]) + " of roi " + std::to_string(r) +
                   " is outside [0, " + std::to_string(p.batches) + ")";
    int failed = 0;
    const auto* image = static_cast<const T*>(x);
    const auto* box = static_cast<const T*>(rois);
    auto* out = static_cast<T*>(y);
    const int64_t plane = p.height * p.width, perRoi = p.channels * p.pooledH * p.pooledW;
#pragma omp parallel if (parallel && roiCount > 1 && omp_get_max_threads() > 1)
    {
        std::vector<Sample> samples;
#pragma omp for schedule(dynamic, 1) reduction(| : failed)
        for (int64_t r = 0; r < roiCount; ++r)
            if (!alignOne<T>(p, box + r * 4, image + batchIndex[r] * p.channels * plane, out + r * perRoi, samples))
                failed |= 1;
    }
    return failed ? "a roi is too large (or not finite) to sample: over 2^24 samples" : std::string();
}

using AlignFn = std::string (*)(const RoiParams&, const void*, const void*, const int64_t*, int64_t, void*, bool);

class RoiAlignKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        const Node& node = c.node();
        name_ = node.name;
        if (!c.hasInput(0) || !c.hasInput(1) || !c.hasInput(2) || !c.hasOutput(0))
            return c.invalidHere("needs X, rois, batch_indices and an output");
        if (c.inputType(1) != c.inputType(0)) return c.invalidHere("rois must have X's type");
        if (c.inputType(0) == DataType::Float)
            fn_ = &alignAll<float>;
        else if (c.inputType(0) == DataType::Double)
            fn_ = &alignAll<double>;
        else
            return c.unsupportedHere("X type " + std::string(dataTypeName(c.inputType(0))) + " is not supported");
        if (c.inputType(2) != DataType::Int64 && c.inputType(2) != DataType::Int32)
            return c.invalidHere("batch_indices must be int64");
        const std::string mode = node.attrString("mode", "avg");
        if (mode != "avg" && mode != "max") return c.invalidHere("mode must be avg or max, not '" + mode + "'");
        // Opset 16 added the attribute; before it the op behaved as output_half_pixel.
        const std::string transform = node.attrString(
            "coordinate_transformation_mode", c.opset() != 0 && c.opset() < 16 ? "output_half_pixel" : "half_pixel");
        if (transform != "half_pixel" && transform != "output_half_pixel")
            return c.invalidHere("coordinate_transformation_mode must be half_pixel or output_half_pixel, not '" +
                                 transform + "'");
        params_.maxMode = mode == "max";
        params_.halfPixel = transform == "half_pixel";
        params_.pooledH = node.attrInt("output_height", 1);
        params_.pooledW = node.attrInt("output_width", 1);
        params_.samplingRatio = node.attrInt("sampling_ratio", 0);
        params_.spatialScale = node.attrFloat("spatial_scale", 1.f);
        if (params_.pooledH < 1 || params_.pooledW < 1)
            return c.invalidHere("output_height and output_width must be positive");
        if (params_.samplingRatio < 0) return c.invalidHere("sampling_ratio must be >= 0");
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& x = c.inputs[0];
        if (x.shape.size() != 4) return invalidModel(name_ + " (RoiAlign): X must be 4-D");
        RoiParams p = params_;
        p.batches = x.shape[0];
        p.channels = x.shape[1];
        p.height = x.shape[2];
        p.width = x.shape[3];
        const Shape& roiShape = c.inputs[1].shape;
        if (roiShape.size() != 2 || roiShape[1] != 4)
            return invalidModel(name_ + " (RoiAlign): rois must be [num_rois, 4], not " + shapeToString(roiShape));
        const int64_t rois = roiShape[0];
        std::vector<int64_t> batchIndex;
        if (!tensor::readIntegers(c.inputs[2], batchIndex) || static_cast<int64_t>(batchIndex.size()) != rois)
            return invalidModel(name_ + " (RoiAlign): batch_indices must hold one index per roi");
        if (c.outputs[0].count() != rois * p.channels * p.pooledH * p.pooledW)
            return shapeError(name_ + " (RoiAlign): output does not fit the rois");
        const std::string why =
            fn_(p, x.data, c.inputs[1].data, batchIndex.data(), rois, c.outputs[0].data, c.threads > 1);
        if (!why.empty()) return invalidModel(name_ + " (RoiAlign): " + why);
        return Status::ok();
    }

private:
    AlignFn fn_ = nullptr;
    RoiParams params_;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeRoiAlignKernel() { return std::make_unique<RoiAlignKernel>(); }

}  // namespace interstage::cpu::selection
