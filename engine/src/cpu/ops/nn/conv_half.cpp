// Conv on float16 / bfloat16 tensors (conv_paths.h, "half bands"): widened
// to float one band of output rows at a time. oneDNN 2.6 has no f16
// convolution on a CPU without avx512_fp16, so each band's input rows
// (with the window's halo, rows outside the image as zeros) are widened
// into the workspace, a float32 path made for that band's geometry (the
// pointwise, direct or oneDNN one, as for a float32 conv of that shape)
// computes the band, and its rows are narrowed into the output. Every band
// has the same height (the last one may reach past the image: its extra
// rows are computed from zeros and dropped), so one inner path and one
// packed copy of the weights serve all.
//
// Over its input (overInput: conv_paths.h, "row stripes", the same graph
// conditions on NCHW): output plane o lies over input plane o, and each
// band's output is narrowed one band late, after the next band's input
// rows were widened; the rows it overwrites are above every row a later
// band reads (bands are at least the top pad high).
#include <algorithm>
#include <cstring>

#include "cpu/half_rows.h"
#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/dnnl_context.h"
#include "cpu/parallel.h"

namespace interstage::cpu::nn {

namespace {

// A band's float32 input and output together: small, since it is what the
// conv holds beyond its half-size tensors.
constexpr std::size_t kHalfBandBytes = std::size_t(2) << 20;

std::size_t aligned(std::size_t bytes) { return (bytes + 63) / 64 * 64; }

int64_t product(const Shape& shape, size_t from) {
    int64_t p = 1;
    for (size_t i = from; i < shape.size(); ++i) p *= shape[i];
    return p;
}

// One image's band of `rows` rows of a tensor of `shape`.
Shape bandShape(const Shape& shape, int64_t rows) {
    Shape band = shape;
    band[0] = 1;
    band[2] = rows;
    return band;
}

class HalfBandConv final : public ConvPath {
public:
    HalfBandConv(const ConvSpec& spec, DataType dtype, bool overInput)
        : spec_(spec), dtype_(dtype), overInput_(overInput) {}

    // Throws dnnl::error from the inner path's primitives.
    void build() {
        const Shape &x = spec_.x, &y = spec_.y;
        inRow_ = product(x, 3);
        outRow_ = product(y, 3);
        const int64_t stride = spec_.window.strides[0], extent = spec_.window.extent(0);
        const auto rowBytes = static_cast<std::size_t>(stride * inRow_ * x[1] + outRow_ * y[1]) * sizeof(float);
        const auto budgetRows = static_cast<int64_t>(kHalfBandBytes / std::max<std::size_t>(rowBytes, 1));
        rows_ = std::min(std::max({budgetRows, spec_.window.padBegin[0], int64_t(1)}), std::max<int64_t>(1, y[2]));
        inRows_ = (rows_ - 1) * stride + extent;

        // The inner conv sees one band of one image with its top and bottom
        // pads already in the band (as zero rows).
        ConvSpec band = spec_;
        band.x = bandShape(x, inRows_);
        band.y = bandShape(y, rows_);
        band.window.padBegin[0] = band.window.padEnd[0] = 0;
        band.window.autoPad = "NOTSET";
        // 2-D convs of whole channel blocks widen straight into oneDNN's
        // blocked layout (nChw16c), so its conv needs no reorders in and out.
        block_ = spec_.spatial() == 2 && x[1] % 16 == 0 && y[1] % 16 == 0 && preferredChannelBlock() == 16 ? 16 : 0;
        band.inBlock = band.outBlock = block_;
        const TensorData weights = widenedCopy(*spec_.constantWeights);
        const TensorData bias = spec_.hasBias ? widenedCopy(*spec_.constantBias) : TensorData{};
        band.constantWeights = &weights;
        band.constantBias = spec_.hasBias ? &bias : nullptr;
        // Every path copies the weights it keeps at prepare, so the widened
        // copies above may go when this returns.
        if (!block_) inner_ = makePointwiseConv(band);
        if (!inner_ && !block_) inner_ = makeDirectConv(band);
        if (!inner_) inner_ = makeOneDnnConv(band);

        inBandBytes_ = aligned(static_cast<std::size_t>(x[1] * inRows_ * inRow_) * sizeof(float));
        outBandBytes_ = aligned(static_cast<std::size_t>(y[1] * rows_ * outRow_) * sizeof(float));
        // Over the input, two output bands: the one computed and the one
        // waiting to be written.
        const std::size_t outBands = overInput_ ? 2 : 1;
        workspaceBytes = inBandBytes_ + outBands * outBandBytes_ + inner_->workspaceBytes;
        packedBytes = inner_->packedBytes;
        writesOverInput = overInput_;
    }

    Status run(RunContext& context) override {
        const Shape &x = spec_.x, &y = spec_.y;
        const std::size_t outBands = overInput_ ? 2 : 1;
        auto* inBand = static_cast<float*>(context.workspace);
        float* outBand[2] = {static_cast<float*>(workspaceAt(context.workspace, inBandBytes_)),
                             static_cast<float*>(workspaceAt(context.workspace, inBandBytes_ + outBandBytes_))};
        RunContext inner;
        inner.inputs.resize(spec_.hasBias ? 3 : 2);  // weights and bias: packed inside
        inner.inputs[0] = TensorView{DataType::Float, bandShape(x, inRows_), inBand};
        inner.outputs = {TensorView{DataType::Float, bandShape(y, rows_), outBand[0]}};
        inner.workspace = workspaceAt(context.workspace, inBandBytes_ + outBands * outBandBytes_);
        inner.threads = context.threads;

        const auto* src = static_cast<const std::byte*>(context.inputs[0].data);
        auto* dst = static_cast<std::byte*>(context.outputs[0].data);
        for (int64_t n = 0; n < x[0]; ++n) {
            int64_t pending = -1;  // first row of the band computed but not yet written (over the input)
            std::size_t slot = 0;
            for (int64_t first = 0; first < y[2]; first += rows_) {
                widenBand(src, n, first * spec_.window.strides[0] - spec_.window.padBegin[0], inBand);
                if (pending >= 0) narrowBand(outBand[1 - slot], dst, n, pending);
                inner.outputs[0].data = outBand[slot];
                IS_RETURN_IF_ERROR(inner_->run(inner));
                if (overInput_) {
                    pending = first;
                    slot = 1 - slot;
                } else {
                    narrowBand(outBand[0], dst, n, first);
                }
            }
            if (pending >= 0) narrowBand(outBand[1 - slot], dst, n, pending);
        }
        return Status::ok();
    }

private:
    // Input rows [firstRow, firstRow + inRows_) of every channel of image n;
    // rows outside the image are the padding's zeros.
    void widenBand(const std::byte* src, int64_t n, int64_t firstRow, float* band) const {
        if (block_) return widenBandBlocked(src, n, firstRow, band);
        const std::size_t elem = dataTypeSize(dtype_);
        const int64_t channels = spec_.x[1], height = spec_.x[2];
        const int64_t rowsIn = std::clamp<int64_t>(firstRow, 0, height);
        const int64_t rowsEnd = std::clamp<int64_t>(firstRow + inRows_, 0, height);
#pragma omp parallel for schedule(static) if (channels * inRows_ * inRow_ > kParallelWork)
        for (int64_t c = 0; c < channels; ++c) {
            float* to = band + c * inRows_ * inRow_;
            const int64_t above = rowsIn - firstRow, copied = std::max<int64_t>(rowsEnd - rowsIn, 0);
            std::fill(to, to + above * inRow_, 0.0f);
            const std::byte* from =
                src + static_cast<std::size_t>(((n * channels + c) * height + rowsIn) * inRow_) * elem;
            widenRow(dtype_, from, to + above * inRow_, copied * inRow_);
            std::fill(to + (above + copied) * inRow_, to + inRows_ * inRow_, 0.0f);
        }
    }

    // The band's output rows into rows [start, start + rows_) of image n
    // (those inside the image).
    void narrowBand(const float* band, std::byte* dst, int64_t n, int64_t start) const {
        if (block_) return narrowBandBlocked(band, dst, n, start);
        const std::size_t elem = dataTypeSize(dtype_);
        const int64_t channels = spec_.y[1], height = spec_.y[2];
        const int64_t rows = std::min(rows_, height - start);
#pragma omp parallel for schedule(static) if (channels * rows_ * outRow_ > kParallelWork)
        for (int64_t o = 0; o < channels; ++o)
            narrowRow(dtype_, band + o * rows_ * outRow_,
                      dst + static_cast<std::size_t>(((n * channels + o) * height + start) * outRow_) * elem,
                      rows * outRow_);
    }

    // widenBand into nChw16c: per block of 16 channels and band row, 16
    // source rows widened a chunk at a time and interleaved.
    void widenBandBlocked(const std::byte* src, int64_t n, int64_t firstRow, float* band) const {
        const auto* s = reinterpret_cast<const uint16_t*>(src);
        const int64_t blocks = spec_.x[1] / 16, height = spec_.x[2], width = spec_.x[3];
#pragma omp parallel for schedule(static) if (blocks * inRows_ * width * 16 > kParallelWork)
        for (int64_t task = 0; task < blocks * inRows_; ++task) {
            const int64_t b = task / inRows_, r = task % inRows_, row = firstRow + r;
            float* to = band + (b * inRows_ + r) * width * 16;
            if (row < 0 || row >= height) {
                std::fill(to, to + width * 16, 0.0f);
                continue;
            }
            float chunk[16][kChunk];
            for (int64_t w0 = 0; w0 < width; w0 += kChunk) {
                const int64_t count = std::min(kChunk, width - w0);
                for (int64_t k = 0; k < 16; ++k)
                    widenRow(dtype_, s + ((n * spec_.x[1] + b * 16 + k) * height + row) * width + w0, chunk[k], count);
                for (int64_t j = 0; j < count; ++j)
                    for (int64_t k = 0; k < 16; ++k) to[(w0 + j) * 16 + k] = chunk[k][j];
            }
        }
    }

    // narrowBand from nChw16c, likewise.
    void narrowBandBlocked(const float* band, std::byte* dst, int64_t n, int64_t start) const {
        auto* d = reinterpret_cast<uint16_t*>(dst);
        const int64_t blocks = spec_.y[1] / 16, height = spec_.y[2], width = spec_.y[3];
        const int64_t rows = std::min(rows_, height - start);
#pragma omp parallel for schedule(static) if (blocks * rows * width * 16 > kParallelWork)
        for (int64_t task = 0; task < blocks * rows; ++task) {
            const int64_t b = task / rows, r = task % rows;
            const float* from = band + (b * rows_ + r) * width * 16;
            float chunk[16][kChunk];
            for (int64_t w0 = 0; w0 < width; w0 += kChunk) {
                const int64_t count = std::min(kChunk, width - w0);
                for (int64_t j = 0; j < count; ++j)
                    for (int64_t k = 0; k < 16; ++k) chunk[k][j] = from[(w0 + j) * 16 + k];
                for (int64_t k = 0; k < 16; ++k)
                    narrowRow(dtype_, chunk[k], d + ((n * spec_.y[1] + b * 16 + k) * height + start + r) * width + w0,
                              count);
            }
        }
    }

    static constexpr int64_t kChunk = 64;  // columns interleaved at a time (4 KiB of stack)

    ConvSpec spec_;
    DataType dtype_;
    int block_ = 0;  // 16: the bands are nChw16c, else NCHW
    bool overInput_ = false;
    std::unique_ptr<ConvPath> inner_;
    int64_t inRow_ = 1, outRow_ = 1;  // elements per row past the first spatial axis
    int64_t rows_ = 1, inRows_ = 1;   // output rows per band, input rows they read
    std::size_t inBandBytes_ = 0, outBandBytes_ = 0;
};

}  // namespace

std::unique_ptr<ConvPath> makeHalfBandConv(const ConvSpec& spec, DataType dtype, bool overInput) {
    if (!spec.constantWeights || (spec.hasBias && !spec.constantBias) || spec.inBlock || spec.outBlock) return nullptr;
    auto conv = std::make_unique<HalfBandConv>(spec, dtype, overInput);
    conv->build();
    return conv;
}

}  // namespace interstage::cpu::nn
