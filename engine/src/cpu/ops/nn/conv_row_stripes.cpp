// Conv in bands of output rows whose output may lie over its input (see
// conv_paths.h, "row stripes").
//
// Both tensors are channel-blocked (nChw16c / nChw8c) at batch 1, so each
// channel block is one plane of H rows of W * block floats, and a band of
// rows is one contiguous range per plane. For each band the kernel copies
// the input rows it reads (its rows plus the kernel's halo, clipped to the
// image) out of every input plane into the workspace, runs oneDNN's
// convolution on that small blocked tensor (bands of the same geometry share
// a primitive: top, middle, bottom), and writes the previous band's output
// back into every output plane. The write-back lags one band because the
// band just copied still needed the halo rows it overwrites; the rows any
// later band reads are below it. With the output at the start of the input
// (same block size, same H and W: output plane j is input plane j) the
// output thus overwrites only input rows no band will read again.
#include <algorithm>
#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>
#include <vector>

#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/conv_primitive.h"
#include "cpu/ops/nn/dnnl_context.h"
#include "cpu/parallel.h"

namespace interstage::cpu::nn {

namespace {

using dnnl::memory;

// The bands' share of the workspace: small, because with the output over
// the input the workspace is what the conv's step holds beyond its input.
constexpr std::size_t kBandBytes = std::size_t(4) << 20;
constexpr int64_t kMinBandRows = 4;

std::size_t aligned(std::size_t bytes) { return (bytes + 63) / 64 * 64; }

// Rows [firstRow, firstRow + rows) of every plane of a blocked {1, C, H, W}
// tensor to / from a dense blocked {1, C, rows, W} one.
void copyBand(const float* from, float* to, int64_t planes, int64_t fromRows, int64_t toRows, int64_t fromFirst,
              int64_t toFirst, int64_t rows, int64_t rowFloats) {
#pragma omp parallel for schedule(static) if (planes * rows * rowFloats > kParallelWork)
    for (int64_t p = 0; p < planes; ++p)
        std::memcpy(to + (p * toRows + toFirst) * rowFloats, from + (p * fromRows + fromFirst) * rowFloats,
                    static_cast<std::size_t>(rows * rowFloats) * sizeof(float));
}

class RowStripedConv final : public ConvPath {
public:
    // Throws dnnl::error; valid() is false when oneDNN offers no kernel on
    // the stored layouts (the caller then takes another path).
    explicit RowStripedConv(const ConvSpec& spec) : spec_(spec) {
        const int64_t block = spec.inBlock;
        const int64_t rowIn = (spec.x[1] + block - 1) / block * block * spec.x[3];
        const int64_t rowOut = (spec.y[1] + block - 1) / block * block * spec.y[3];
        const auto rowBytes = static_cast<std::size_t>(rowIn + rowOut) * sizeof(float);
        // Bands of at least the kernel's height before stripesOf() evens
        // them out (which keeps them over half that, more than the top pad):
        // a band's write-back must not reach the rows the band after next
        // reads, which start a pad above that band.
        const int64_t rows =
            std::max({kMinBandRows, spec.window.extent(0), int64_t(kBandBytes / std::max<std::size_t>(rowBytes, 1))});
        if (!plan(std::min(rows, spec.y[2]))) return;
        pack();
        writesOverInput = true;
    }

    bool valid() const { return !configs_.empty(); }

    Status run(RunContext& context) override {
        try {
            dnnl::stream& stream = dnnlStream();
            const float* src = context.inputs[0].as<float>();
            float* dst = context.outputs[0].as<float>();
            auto* srcBand = static_cast<float*>(workspaceAt(context.workspace, 0));
            auto* dstBand = static_cast<float*>(workspaceAt(context.workspace, dstOffset_));
            void* scratch = workspaceAt(context.workspace, scratchOffset_);
            const int64_t height = spec_.x[2];
            const int64_t inPlanes = (spec_.x[1] + spec_.inBlock - 1) / spec_.inBlock;
            const int64_t outPlanes = (spec_.y[1] + spec_.outBlock - 1) / spec_.outBlock;
            const int64_t inRow = spec_.x[3] * spec_.inBlock, outRow = spec_.y[3] * spec_.outBlock;
            const Band* pending = nullptr;  // computed, not yet written back
            auto writeBack = [&](const Band& band) {
                const StripeRows& r = band.rows;
                copyBand(dstBand, dst, outPlanes, r.outputRows, height, 0, r.firstOutputRow, r.outputRows, outRow);
            };
            for (const Band& band : bands_) {
                Config& c = configs_[band.config];
                const StripeRows& r = band.rows;
                copyBand(src, srcBand, inPlanes, height, r.inputRows, r.firstInputRow, 0, r.inputRows, inRow);
                if (pending) writeBack(*pending);
                c.src.set_data_handle(srcBand);
                c.dst.set_data_handle(dstBand);
                std::unordered_map<int, memory> args{
                    {DNNL_ARG_SRC, c.src}, {DNNL_ARG_WEIGHTS, packed_.weights[c.weights]}, {DNNL_ARG_DST, c.dst}};
                if (packed_.bias) args[DNNL_ARG_BIAS] = packed_.bias;
                if (c.scratch) {
                    c.scratch.set_data_handle(scratch);
                    args[DNNL_ARG_SCRATCHPAD] = c.scratch;
                }
                c.primitive.execute(stream, args);
                stream.wait();
                pending = &band;
            }
            if (pending) writeBack(*pending);
        } catch (const std::exception& error) {
            return dnnlRunFailure("primitive execution failed", error);
        }
        return Status::ok();
    }

private:
    struct Config {
        StripeRows geometry;
        dnnl::convolution_forward::primitive_desc pd;
        dnnl::convolution_forward primitive;
        memory src, dst, scratch;
        std::size_t weights = 0;  // index into packed_.weights
    };
    struct Band {
        std::size_t config;
        StripeRows rows;
    };

    // Bands of about `rows` output rows and their primitives; false when a
    // primitive would not read and write the stored layouts as they are.
    bool plan(int64_t rows) {
        const Shape& x = spec_.x;
        const Shape& y = spec_.y;
        std::size_t srcMax = 0, dstMax = 0, scratchMax = 0;
        for (const StripeRows& g : stripesOf(spec_, rows)) {
            std::size_t index = 0;
            while (index < configs_.size() && !configs_[index].geometry.sameGeometry(g)) ++index;
            if (index == configs_.size()) {
                Config c;
                c.geometry = g;
                const Shape xs{x[0], x[1], g.inputRows, x[3]};
                const Shape ys{y[0], y[1], g.outputRows, y[3]};
                const DnnlDims padBegin{g.padTop, spec_.window.padBegin[1]};
                const DnnlDims padEnd{g.padBottom, spec_.window.padEnd[1]};
                const memory::desc firstWeights =
                    configs_.empty() ? memory::desc() : configs_.front().pd.weights_desc();
                c.pd = choosePrimitive(spec_, xs, ys, padBegin, padEnd, configs_.empty() ? nullptr : &firstWeights,
                                       true, kBandBytes);
                if (c.pd.src_desc() != activationDesc(xs, spec_.inBlock) ||
                    c.pd.dst_desc() != activationDesc(ys, spec_.outBlock)) {
                    configs_.clear();
                    return false;
                }
                c.primitive = dnnl::convolution_forward(c.pd);
                c.src = memory(c.pd.src_desc(), dnnlEngine(), DNNL_MEMORY_NONE);
                c.dst = memory(c.pd.dst_desc(), dnnlEngine(), DNNL_MEMORY_NONE);
                const std::size_t scratchBytes = c.pd.scratchpad_desc().get_size();
                if (scratchBytes > 0) c.scratch = memory(c.pd.scratchpad_desc(), dnnlEngine(), DNNL_MEMORY_NONE);
                srcMax = std::max(srcMax, c.pd.src_desc().get_size());
                dstMax = std::max(dstMax, c.pd.dst_desc().get_size());
                scratchMax = std::max(scratchMax, scratchBytes);
                configs_.push_back(std::move(c));
            }
            bands_.push_back({index, g});
        }
        dstOffset_ = aligned(srcMax);
        scratchOffset_ = dstOffset_ + aligned(dstMax);
        workspaceBytes = scratchOffset_ + aligned(scratchMax);
        return true;
    }

    // The weights once per distinct layout the bands' primitives want
    // (normally one), and the bias.
    void pack() {
        for (Config& c : configs_) c.weights = packed_.packFor(spec_, c.pd.weights_desc());
        packed_.packBias(spec_, configs_.front().pd.bias_desc());
        packedBytes = packed_.bytes;
    }

    ConvSpec spec_;
    std::vector<Config> configs_;
    std::vector<Band> bands_;
    StripeWeights packed_;
    std::size_t dstOffset_ = 0, scratchOffset_ = 0;
};

// Pads as ONNX gives them, when they keep every row where it is: the same
// number above and below ((k - 1) / 2) and left and right.
bool samePads(const Node& node, int64_t kh, int64_t kw) {
    if (kh % 2 == 0 || kw % 2 == 0) return false;
    const std::string autoPad = node.attrString("auto_pad", "NOTSET");
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") return true;
    if (autoPad != "NOTSET") return false;
    const std::vector<int64_t> pads = node.attrInts("pads");
    return pads.size() == 4 && pads[0] == (kh - 1) / 2 && pads[2] == pads[0] && pads[1] == (kw - 1) / 2 &&
           pads[3] == pads[1];
}

}  // namespace

bool convRunsInRowStripes(const Graph& graph, const Node& node) {
    if (node.opType != "Conv" || !node.domain.empty() || node.inputs.size() < 2 || node.outputs.size() != 1 ||
        node.input(0) == kNoValue || node.input(1) == kNoValue || node.outputs[0] == kNoValue)
        return false;
    const Value& x = graph.value(node.input(0));
    const Value& w = graph.value(node.input(1));
    const Value& y = graph.value(node.outputs[0]);
    // float32 between channel-blocked tensors (RowStripedConv), or float16 /
    // bfloat16 on NCHW (the half bands of conv_half.cpp, which keep the
    // same order of reads and late writes).
    const bool blockedFloat = x.dtype == DataType::Float && x.channelBlock && y.channelBlock == x.channelBlock;
    const bool half = (x.dtype == DataType::Float16 || x.dtype == DataType::BFloat16) && y.dtype == x.dtype &&
                      !x.channelBlock && !y.channelBlock;
    if (x.shape.size() != 4 || y.shape.size() != 4 || w.shape.size() != 4 || !(blockedFloat || half) || x.shape[0] != 1)
        return false;
    // An intermediate that dies here: nothing else reads it.
    if (x.producer == kNoNode || x.isGraphInput || x.isGraphOutput || x.isWeight() || x.consumers.size() != 1 ||
        std::count(node.inputs.begin(), node.inputs.end(), node.input(0)) != 1)
        return false;
    const bool bias = node.inputs.size() > 2 && node.input(2) != kNoValue;
    if (!w.constant || (bias && !graph.value(node.input(2)).constant)) return false;
    if (node.attrInt("group", 1) != 1) return false;
    for (const char* name : {"strides", "dilations"})
        for (int64_t v : node.attrInts(name))
            if (v != 1) return false;
    if (y.shape[2] != x.shape[2] || y.shape[3] != x.shape[3] || !samePads(node, w.shape[2], w.shape[3])) return false;
    return x.byteSize() >= convStripeBytes() && y.byteSize() <= x.byteSize();
}

std::unique_ptr<ConvPath> makeRowStripedConv(const ConvSpec& spec) {
    if (spec.spatial() != 2 || !spec.inBlock || spec.outBlock != spec.inBlock || !spec.constantWeights ||
        (spec.hasBias && !spec.constantBias))
        return nullptr;
    auto conv = std::make_unique<RowStripedConv>(spec);
    if (!conv->valid()) return nullptr;
    return conv;
}

}  // namespace interstage::cpu::nn
