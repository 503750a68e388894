// GridSample on input with 1 to 3 spatial dims (4-D images; opset 20's
// N-D, 5-D volumes included): each output position samples X at the
// grid's normalized (x, y[, z]) with nearest, (bi/tri)linear or cubic
// weights and zeros / border / reflection padding. Where a pixel samples and with what
// weights is the same for every channel, so each batch first builds a tap
// table (flat offsets and weights per output pixel, padding already
// applied) in the workspace; the channels then run in parallel as plain
// weighted gathers over it.
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "cpu/ops/select/select_kernels.h"

namespace interstage::cpu::selection {

namespace {

enum class Interp { Nearest, Linear, Cubic };
enum class Padding { Zeros, Border, Reflection };

int tapsPerSide(Interp mode) { return mode == Interp::Nearest ? 1 : mode == Interp::Linear ? 2 : 4; }

struct GridParams {
    Interp mode = Interp::Linear;
    Padding padding = Padding::Zeros;
    bool alignCorners = false;
};

// One spatial axis: its size and the range the padding reflects within.
struct Axis {
    int64_t size;
    float lo, hi;
};

Axis axisOf(int64_t size, bool alignCorners) {
    if (alignCorners) return {size, 0.f, static_cast<float>(size - 1)};
    return {size, -0.5f, static_cast<float>(size) - 0.5f};
}

float denormalize(float v, int64_t size, bool alignCorners) {
    return alignCorners ? (v + 1.f) / 2.f * static_cast<float>(size - 1)
                        : ((v + 1.f) * static_cast<float>(size) - 1.f) / 2.f;
}

// Mirrors x into [lo, hi] by the nearer border, as often as it takes.
float reflect(float x, float lo, float hi) {
    const float range = hi - lo;
    if (range <= 0.f) return lo;
    if (x < lo) {
        const float dx = lo - x;
        const auto n = static_cast<int64_t>(dx / range);
        const float r = dx - static_cast<float>(n) * range;
        return n % 2 == 0 ? lo + r : hi - r;
    }
    if (x > hi) {
        const float dx = x - hi;
        const auto n = static_cast<int64_t>(dx / range);
        const float r = dx - static_cast<float>(n) * range;
        return n % 2 == 0 ? hi - r : lo + r;
    }
    return x;
}

// The in-range index a tap reads under the padding; -1 reads zero.
int64_t tapIndex(int64_t i, const Axis& a, Padding padding) {
    switch (padding) {
        case Padding::Zeros:
            return i >= 0 && i < a.size ? i : -1;
        case Padding::Border:
            return std::clamp<int64_t>(i, 0, a.size - 1);
        case Padding::Reflection:
            return std::clamp<int64_t>(static_cast<int64_t>(reflect(static_cast<float>(i), a.lo, a.hi)), 0, a.size - 1);
    }
    return -1;
}

// The sample position along one axis, with out-of-range positions moved
// in by border / reflection padding before the taps are taken.
float position(float normalized, const Axis& a, const GridParams& p) {
    float x = denormalize(normalized, a.size, p.alignCorners);
    if (p.mode == Interp::Nearest) x = std::nearbyint(x);
    if (x < a.lo || x > a.hi) {
        if (p.padding == Padding::Border)
            x = std::clamp(x, 0.f, static_cast<float>(a.size - 1));
        else if (p.padding == Padding::Reflection)
            x = reflect(x, a.lo, a.hi);
    }
    return x;
}

// First tap and the weights of the taps along one axis.
void axisTaps(float x, Interp mode, int64_t& first, float* w) {
    if (mode == Interp::Nearest) {
        first = static_cast<int64_t>(x);
        w[0] = 1.f;
        return;
    }
    const float base = std::floor(x);
    const float t = x - base;
    if (mode == Interp::Linear) {
        first = static_cast<int64_t>(base);
        w[0] = 1.f - t;
        w[1] = t;
        return;
    }
    first = static_cast<int64_t>(base) - 1;
    constexpr float A = -0.75f;  // Keys' cubic convolution, as ONNX specifies
    const float t1 = t + 1.f, u = 1.f - t, u1 = 2.f - t;
    w[0] = ((A * t1 - 5.f * A) * t1 + 8.f * A) * t1 - 4.f * A;
    w[1] = ((A + 2.f) * t - (A + 3.f)) * t * t + 1.f;
    w[2] = ((A + 2.f) * u - (A + 3.f)) * u * u + 1.f;
    w[3] = ((A * u1 - 5.f * A) * u1 + 8.f * A) * u1 - 4.f * A;
}

// Up to three spatial dims (opset 20's volumetric 5-D input included).
constexpr int kMaxSpatial = 3;

struct Geometry {
    int64_t batches = 0, channels = 0;
    int spatial = 0;
    int64_t dims[kMaxSpatial] = {};  // input spatial dims, outermost first
    int64_t plane = 0;               // product of dims
    int64_t outPixels = 0;           // output positions per channel
};

int tapsOf(const GridParams& p, int spatial) {
    int taps = 1;
    for (int d = 0; d < spatial; ++d) taps *= tapsPerSide(p.mode);
    return taps;
}

// The taps of output positions [begin, end): per tap, the flat offset in
// the input plane and its weight (zero where zeros padding reads outside).
template <class T>
void buildTaps(const GridParams& p, const Geometry& g, const T* grid, int32_t* index, float* weight, int64_t begin,
               int64_t end) {
    const int side = tapsPerSide(p.mode), taps = tapsOf(p, g.spatial), n = g.spatial;
    Axis axes[kMaxSpatial];
    for (int d = 0; d < n; ++d) axes[d] = axisOf(g.dims[d], p.alignCorners);
    for (int64_t px = begin; px < end; ++px) {
        int64_t first[kMaxSpatial];
        float w[kMaxSpatial][4];
        // The grid lists coordinates innermost dim first: (x, y[, z]).
        for (int d = 0; d < n; ++d)
            axisTaps(position(static_cast<float>(grid[px * n + (n - 1 - d)]), axes[d], p), p.mode, first[d], w[d]);
        int32_t* idx = index + px * taps;
        float* wt = weight + px * taps;
        for (int t = 0; t < taps; ++t) {
            int64_t offset = 0;
            float product = 1.f;
            bool inside = true;
            for (int d = 0, rest = t, stride = taps / side; d < n; ++d, stride /= side) {
                const int k = rest / stride;
                rest %= stride;
                const int64_t at = tapIndex(first[d] + k, axes[d], p.padding);
                inside = inside && at >= 0;
                offset = offset * g.dims[d] + at;
                product *= w[d][k];
            }
            idx[t] = inside ? static_cast<int32_t>(offset) : 0;
            wt[t] = inside ? product : 0.f;
        }
    }
}

template <class T, int Taps>
void gatherFixed(const T* plane, const int32_t* index, const float* weight, int64_t pixels, T* out) {
    for (int64_t px = 0; px < pixels; ++px) {
        float sum = 0.f;
        for (int k = 0; k < Taps; ++k) sum += weight[px * Taps + k] * static_cast<float>(plane[index[px * Taps + k]]);
        out[px] = static_cast<T>(sum);
    }
}

// One channel: out[px] = sum of weight * input over the pixel's taps. The
// common tap counts get unrolled loops.
template <class T>
void gatherPlane(const T* plane, const int32_t* index, const float* weight, int64_t pixels, int taps, T* out) {
    switch (taps) {
        case 1:
            return gatherFixed<T, 1>(plane, index, weight, pixels, out);
        case 4:
            return gatherFixed<T, 4>(plane, index, weight, pixels, out);
        case 8:
            return gatherFixed<T, 8>(plane, index, weight, pixels, out);
        case 16:
            return gatherFixed<T, 16>(plane, index, weight, pixels, out);
        default:
            break;
    }
    for (int64_t px = 0; px < pixels; ++px) {
        float sum = 0.f;
        for (int k = 0; k < taps; ++k) sum += weight[px * taps + k] * static_cast<float>(plane[index[px * taps + k]]);
        out[px] = static_cast<T>(sum);
    }
}

template <class T>
void sampleAll(const GridParams& p, const Geometry& g, const void* x, const void* grid, void* y, void* workspace,
               bool parallel) {
    const int taps = tapsOf(p, g.spatial);
    auto* index = static_cast<int32_t*>(workspace);
    auto* weight = reinterpret_cast<float*>(index + g.outPixels * taps);
    const auto* in = static_cast<const T*>(x);
    const auto* coords = static_cast<const T*>(grid);
    auto* out = static_cast<T*>(y);
    const bool team = parallel && omp_get_max_threads() > 1 && g.channels * g.outPixels * taps > 65536;
    for (int64_t n = 0; n < g.batches; ++n) {
#pragma omp parallel if (team)
        {
            const int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
            buildTaps<T>(p, g, coords + n * g.outPixels * g.spatial, index, weight, g.outPixels * t / threads,
                         g.outPixels * (t + 1) / threads);
#pragma omp barrier
#pragma omp for schedule(static)
            for (int64_t ch = 0; ch < g.channels; ++ch)
                gatherPlane<T>(in + (n * g.channels + ch) * g.plane, index, weight, g.outPixels, taps,
                               out + (n * g.channels + ch) * g.outPixels);
        }
    }
}

using SampleFn = void (*)(const GridParams&, const Geometry&, const void*, const void*, void*, void*, bool);

// X [N, C, D1..Dn] and grid [N, O1..On, n] as a Geometry; false (why set)
// when they do not fit together.
bool geometryOf(const Shape& x, const Shape& grid, Geometry& g, std::string& why) {
    if (x.size() < 3 || x.size() > 2 + kMaxSpatial) {
        why = "X must have 1 to 3 spatial dims, not " + shapeToString(x);
        return false;
    }
    const auto n = static_cast<int>(x.size() - 2);
    if (grid.size() != x.size() || grid[0] != x[0] || grid.back() != n) {
        why = "grid must be [N, out dims..., " + std::to_string(n) + "] for X " + shapeToString(x) + ", not " +
              shapeToString(grid);
        return false;
    }
    g = Geometry{};
    g.batches = x[0];
    g.channels = x[1];
    g.spatial = n;
    g.plane = 1;
    g.outPixels = 1;
    for (int d = 0; d < n; ++d) {
        g.dims[d] = x[size_t(d) + 2];
        g.plane *= g.dims[d];
        g.outPixels *= grid[size_t(d) + 1];
    }
    return true;
}

class GridSampleKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        const Node& node = c.node();
        name_ = node.name;
        if (!c.hasInput(0) || !c.hasInput(1) || !c.hasOutput(0)) return c.invalidHere("needs X, grid and an output");
        const std::string mode = node.attrString("mode", c.opset() != 0 && c.opset() < 20 ? "bilinear" : "linear");
        if (mode == "bilinear" || mode == "linear")
            params_.mode = Interp::Linear;
        else if (mode == "nearest")
            params_.mode = Interp::Nearest;
        else if (mode == "bicubic" || mode == "cubic")
            params_.mode = Interp::Cubic;
        else
            return c.invalidHere("mode must be bilinear, nearest or bicubic (linear / cubic from opset 20), not '" +
                                 mode + "'");
        const std::string padding = node.attrString("padding_mode", "zeros");
        if (padding == "zeros")
            params_.padding = Padding::Zeros;
        else if (padding == "border")
            params_.padding = Padding::Border;
        else if (padding == "reflection")
            params_.padding = Padding::Reflection;
        else
            return c.invalidHere("padding_mode must be zeros, border or reflection, not '" + padding + "'");
        params_.alignCorners = node.attrInt("align_corners", 0) != 0;
        std::string why;
        if (!geometryOf(c.inputShape(0), c.inputShape(1), geometry_, why)) return c.invalidHere(why);
        if (c.inputType(1) != c.inputType(0)) return c.invalidHere("grid must have X's type");
        if (c.inputType(0) == DataType::Float)
            fn_ = &sampleAll<float>;
        else if (c.inputType(0) == DataType::Double)
            fn_ = &sampleAll<double>;
        else
            return c.unsupportedHere("X type " + std::string(dataTypeName(c.inputType(0))) + " is not supported");
        if (geometry_.plane > INT32_MAX)
            return c.unsupportedHere("inputs over 2^31 elements per channel are not supported");
        return Status::ok();
    }

    // The tap table of one batch: an int32 offset and a float weight per tap.
    std::size_t workspaceBytes() const override {
        return static_cast<std::size_t>(geometry_.outPixels * tapsOf(params_, geometry_.spatial)) *
               (sizeof(int32_t) + sizeof(float));
    }

    Status run(RunContext& c) override {
        Geometry seen;
        std::string why;
        if (!geometryOf(c.inputs[0].shape, c.inputs[1].shape, seen, why))
            return invalidModel(name_ + " (GridSample): " + why);
        if (seen.batches != geometry_.batches || seen.channels != geometry_.channels || seen.plane != geometry_.plane ||
            seen.outPixels != geometry_.outPixels ||
            c.outputs[0].count() != seen.batches * seen.channels * seen.outPixels)
            return shapeError(name_ + " (GridSample): shapes differ from the ones prepared for");
        fn_(params_, seen, c.inputs[0].data, c.inputs[1].data, c.outputs[0].data, c.workspace, c.threads > 1);
        return Status::ok();
    }

private:
    SampleFn fn_ = nullptr;
    GridParams params_;
    Geometry geometry_;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeGridSampleKernel() { return std::make_unique<GridSampleKernel>(); }

}  // namespace interstage::cpu::selection
