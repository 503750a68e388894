// Conv on oneDNN's convolution primitive (see conv_paths.h for when).
//
// Given NCHW source and destination, oneDNN 2.6 falls back to im2col +
// sgemm ("gemm:jit"), 3-10x slower than its direct kernels, so the
// primitive gets channel-blocked (nChw16c) or any-layout activations and
// DnnlStep reorders in and out through the workspace. For 3x3 / stride 1
// convolutions with 64+ output channels Winograd (F(2x2, 3x3)) is ~1.7x
// faster than direct on AVX-512; with fewer outputs it is slower.
// Winograd's weight transform runs once, at prepare, single-threaded and
// slowly (25-45 ms for a 512x512x3x3 kernel here), while its gain per run
// scales with the output's pixels: on a 7x7 map it pays back only after
// dozens of runs, so maps under kWinogradMinOutputPixels go direct (ResNet-18:
// session set-up 175-285 -> 98-179 ms, steady 11.8 -> 11.9 ms).
//
// Stripes: the blocked copies of a big activation (U^2-Net's 128 -> 64
// channel 3x3 at 320x320 needs ~76 MiB) would dominate the workspace, so a
// 2-D convolution whose workspace would exceed a bound runs in horizontal
// stripes of output rows instead: each stripe reorders just the input rows
// it reads (its output rows times the stride plus the kernel's halo, clipped
// to the image; the conv's top / bottom padding only applies at the image
// edges) into the blocked buffer, runs the primitive and reorders its output
// rows back into the NCHW destination. Stripes of the same geometry share a
// primitive (usually three: top, middle, bottom). The bound is 16 MiB; the
// environment variable INTERSTAGE_CONV_STRIPE_BYTES (bytes, read once per
// process) overrides it, e.g. to force stripes on small convolutions in
// tests. Striping needs weights (and bias) known at prepare.
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "cpu/ops/nn/conv_paths.h"
#include "cpu/ops/nn/conv_primitive.h"
#include "cpu/ops/nn/dnnl_context.h"

namespace interstage::cpu::nn {

using dnnl::memory;

namespace {

constexpr int64_t kWinogradMinOutputPixels = 100;  // 10x10: see the comment at the top

constexpr int64_t kMinStripeRows = 8;  // fewer rows per stripe waste time on halos and calls

}  // namespace

std::size_t stripeBound() {
    static const std::size_t bound = [] {
        std::size_t value = std::size_t(16) << 20;
        if (const char* text = std::getenv("INTERSTAGE_CONV_STRIPE_BYTES")) {
            char* end = nullptr;
            unsigned long long parsed = std::strtoull(text, &end, 10);
            if (end != text && parsed > 0) value = static_cast<std::size_t>(parsed);
        }
        return value;
    }();
    return bound;
}

DnnlDims weightDimsOf(const ConvSpec& spec) {
    // oneDNN's grouped weights are {G, O/G, I/G, k...}: the same bytes as
    // ONNX's {O, I/G, k...}.
    DnnlDims weightDims = spec.w;
    if (spec.group > 1) {
        weightDims[0] = spec.w[0] / spec.group;
        weightDims.insert(weightDims.begin(), spec.group);
    }
    return weightDims;
}

dnnl::convolution_forward::primitive_desc choosePrimitive(const ConvSpec& spec, const Shape& x, const Shape& y,
                                                          const DnnlDims& padBegin, const DnnlDims& padEnd,
                                                          const memory::desc* weightsWanted, bool storedLayouts,
                                                          std::size_t maxScratchpad) {
    const Shape& w = spec.w;
    const size_t spatial = spec.spatial();
    const DnnlDims weightDims = weightDimsOf(spec);
    const DnnlDims strides = spec.window.strides;
    DnnlDims dilations = spec.window.dilations;
    for (auto& d : dilations) d -= 1;  // oneDNN counts the gaps
    const memory::desc biasDesc = spec.hasBias ? plainDesc({w[0]}) : memory::desc();
    dnnl::post_ops ops;
    appendActivation(ops, spec.activation);
    const dnnl::primitive_attr attributes = makeAttributes(ops);

    // Which Winograd kernel oneDNN 2.6 picks depends on the machine's cache
    // sizes: on some (an AMD EPYC here) it is F(4x4, 3x3) with whole-tensor
    // transforms, a 176 MiB scratchpad for U^2-Net-P's 128 -> 64 channel
    // conv at 320^2, more than the memory modes save on activations. So a
    // Winograd implementation must keep its scratchpad within the stripe
    // bound; where none does, the conv runs direct.
    const std::size_t noBound = std::numeric_limits<std::size_t>::max();
    auto buildWith = [&](dnnl::algorithm algorithm, const memory::desc& src, const memory::desc& weights,
                         const memory::desc& dst, dnnl::convolution_forward::primitive_desc& out) {
        const std::size_t bound = algorithm == dnnl::algorithm::convolution_winograd ? maxScratchpad : noBound;
        try {
            // The iterator behind next_impl() reads desc: keep it alive
            // while stepping through the implementations.
            dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, src, weights, biasDesc,
                                                 dst, strides, dilations, padBegin, padEnd);
            out = dnnl::convolution_forward::primitive_desc(desc, attributes, dnnlEngine());
            do {
                // A reference implementation means the layouts asked for
                // have no fast kernel: try the next candidate.
                if (std::string(out.impl_info_str()).rfind("ref", 0) == 0) return false;
                if (out.scratchpad_desc().get_size() <= bound) return true;
            } while (out.next_impl());
            return false;
        } catch (const dnnl::error&) {
            return false;
        }
    };
    auto build = [&](dnnl::algorithm algorithm, const memory::desc& src, const memory::desc& dst,
                     dnnl::convolution_forward::primitive_desc& out) {
        return (weightsWanted && buildWith(algorithm, src, *weightsWanted, dst, out)) ||
               buildWith(algorithm, src, anyDesc(weightDims), dst, out);
    };
    const memory::format_tag blockedTag = spatial == 1   ? memory::format_tag::nCw16c
                                          : spatial == 2 ? memory::format_tag::nChw16c
                                                         : memory::format_tag::nCdhw16c;
    // Blocked reorders from NCHW are cheaper than channels-last ones, and
    // oneDNN's blocked direct kernels are as fast as its channels-last ones.
    // A side the engine already stores blocked is asked for as it is.
    auto preferred = [&](const Shape& dims, int64_t channels, int storedBlock) {
        if (storedBlock) return activationDesc(dims, storedBlock);
        return channels % 16 == 0 ? memory::desc(dims, memory::data_type::f32, blockedTag) : anyDesc(dims);
    };
    const bool winogradShape = spatial == 2 && spec.group == 1 && w[2] == 3 && w[3] == 3 && strides == DnnlDims{1, 1} &&
                               dilations == DnnlDims{0, 0};
    dnnl::convolution_forward::primitive_desc pd;
    const bool stored = storedLayouts && spec.inBlock && spec.outBlock;
    bool built = winogradShape && x[1] >= 16 && w[0] >= 64 && y[2] * y[3] >= kWinogradMinOutputPixels &&
                 build(dnnl::algorithm::convolution_winograd, stored ? activationDesc(x, spec.inBlock) : anyDesc(x),
                       stored ? activationDesc(y, spec.outBlock) : anyDesc(y), pd);
    if (!built)
        built = build(dnnl::algorithm::convolution_direct, preferred(x, x[1], spec.inBlock),
                      preferred(y, w[0], spec.outBlock), pd);
    if (!built) {
        dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                             anyDesc(x), anyDesc(weightDims), biasDesc, anyDesc(y), strides, dilations,
                                             padBegin, padEnd);
        pd = dnnl::convolution_forward::primitive_desc(desc, attributes, dnnlEngine());
    }
    return pd;
}

namespace {

// NCHW rows [firstRow, firstRow + rows) of a {n, c, height, width} tensor
// to a dense nChw16c {n, c, rows, width} buffer (padding channels zeroed),
// and back. oneDNN's reorders treat the stripe (whose channel stride is the
// whole image's) with a generic kernel about half as fast as these.
void stripeToBlocked(const float* src, float* dst, int64_t n, int64_t c, int64_t height, int64_t width,
                     int64_t firstRow, int64_t rows) {
    const int64_t blocks = (c + 15) / 16;
    const int64_t work = n * blocks * rows;
#pragma omp parallel for schedule(static) if (work * width > 16384)
    for (int64_t i = 0; i < work; ++i) {
        const int64_t r = i % rows, nb = i / rows, b = nb % blocks, image = nb / blocks;
        float* out = dst + i * width * 16;
        const int64_t valid = std::min<int64_t>(16, c - b * 16);
        const float* in[16];
        for (int64_t k = 0; k < valid; ++k) in[k] = src + ((image * c + b * 16 + k) * height + firstRow + r) * width;
        int64_t w0 = 0;
        float tile[16][16];
        for (; w0 + 16 <= width; w0 += 16) {
            for (int64_t k = 0; k < valid; ++k)
                for (int j = 0; j < 16; ++j) tile[k][j] = in[k][w0 + j];
            for (int64_t k = valid; k < 16; ++k)
                for (int j = 0; j < 16; ++j) tile[k][j] = 0.f;
            for (int j = 0; j < 16; ++j)
                for (int k = 0; k < 16; ++k) out[(w0 + j) * 16 + k] = tile[k][j];
        }
        for (; w0 < width; ++w0)
            for (int64_t k = 0; k < 16; ++k) out[w0 * 16 + k] = k < valid ? in[k][w0] : 0.f;
    }
}

void blockedToStripe(const float* src, float* dst, int64_t n, int64_t c, int64_t height, int64_t width,
                     int64_t firstRow, int64_t rows) {
    const int64_t blocks = (c + 15) / 16;
    const int64_t work = n * blocks * rows;
#pragma omp parallel for schedule(static) if (work * width > 16384)
    for (int64_t i = 0; i < work; ++i) {
        const int64_t r = i % rows, nb = i / rows, b = nb % blocks, image = nb / blocks;
        const float* in = src + i * width * 16;
        const int64_t valid = std::min<int64_t>(16, c - b * 16);
        float* out[16];
        for (int64_t k = 0; k < valid; ++k) out[k] = dst + ((image * c + b * 16 + k) * height + firstRow + r) * width;
        int64_t w0 = 0;
        float tile[16][16];
        for (; w0 + 16 <= width; w0 += 16) {
            for (int j = 0; j < 16; ++j)
                for (int k = 0; k < 16; ++k) tile[k][j] = in[(w0 + j) * 16 + k];
            for (int64_t k = 0; k < valid; ++k)
                for (int j = 0; j < 16; ++j) out[k][w0 + j] = tile[k][j];
        }
        for (; w0 < width; ++w0)
            for (int64_t k = 0; k < valid; ++k) out[k][w0] = in[w0 * 16 + k];
    }
}

std::size_t aligned(std::size_t bytes) { return (bytes + 63) / 64 * 64; }

// What DnnlStep would reserve for pd on the whole tensors (reorder
// scratchpads, tiny for these layouts, left out).
std::size_t unstripedWorkspace(const ConvSpec& spec, const dnnl::convolution_forward::primitive_desc& pd) {
    std::size_t total = 0;
    if (pd.src_desc() != activationDesc(spec.x, spec.inBlock)) total += aligned(pd.src_desc().get_size());
    if (pd.dst_desc() != activationDesc(spec.y, spec.outBlock)) total += aligned(pd.dst_desc().get_size());
    if (!spec.constantWeights) total += aligned(pd.weights_desc().get_size());
    return total + aligned(pd.scratchpad_desc().get_size());
}

class OneDnnConv final : public ConvPath {
public:
    explicit OneDnnConv(const ConvSpec& spec, const dnnl::convolution_forward::primitive_desc& pd) {
        const Shape& x = spec.x;
        const Shape& y = spec.y;
        const DnnlDims weightDims = weightDimsOf(spec);
        const memory::desc biasDesc = spec.hasBias ? plainDesc({spec.w[0]}) : memory::desc();

        WorkspacePlan plan;
        step_.setPrimitive(pd, dnnl::convolution_forward(pd));
        step_.addInput(DNNL_ARG_SRC, 0, activationDesc(x, spec.inBlock), pd.src_desc(), plan);
        if (spec.constantWeights)
            packedBytes += step_.addConstant(DNNL_ARG_WEIGHTS, spec.constantWeights->data<float>(),
                                             plainDesc(weightDims), pd.weights_desc());
        else
            step_.addInput(DNNL_ARG_WEIGHTS, 1, plainDesc(weightDims), pd.weights_desc(), plan);
        if (spec.hasBias) {
            if (spec.constantBias)
                packedBytes +=
                    step_.addConstant(DNNL_ARG_BIAS, spec.constantBias->data<float>(), biasDesc, pd.bias_desc());
            else
                step_.addInput(DNNL_ARG_BIAS, 2, biasDesc, pd.bias_desc(), plan);
        }
        step_.addOutput(DNNL_ARG_DST, 0, activationDesc(y, spec.outBlock), pd.dst_desc(), plan);
        step_.finish(plan);
        workspaceBytes = plan.total();
    }

    Status run(RunContext& context) override { return step_.run(context); }

private:
    DnnlStep step_;
};

// A 2-D convolution in stripes of output rows (see the top of the file).
class StripedConv final : public ConvPath {
public:
    // Throws dnnl::error; valid() is false when the stripes would not help
    // (the caller then takes the unstriped path).
    StripedConv(const ConvSpec& spec, std::size_t unstriped) : spec_(spec) {
        const Shape& x = spec.x;
        const Shape& y = spec.y;
        const int64_t outRows = y[2];
        if (outRows < 2 * kMinStripeRows) return;
        // First guess from the blocked bytes per output row, then shrink
        // while the built stripes (with their scratchpads) exceed the bound.
        const int64_t stride = spec.window.strides[0];
        const std::size_t rowBytes = std::size_t(x[0]) * ((x[1] + 15) / 16 * 16) * x[3] * sizeof(float) * stride +
                                     std::size_t(y[0]) * ((y[1] + 15) / 16 * 16) * y[3] * sizeof(float);
        int64_t rows = std::max<int64_t>(kMinStripeRows, int64_t(stripeBound() / std::max<std::size_t>(rowBytes, 1)));
        for (int attempt = 0; attempt < 6; ++attempt) {
            if (rows * 2 > outRows) rows = (outRows + 1) / 2;  // at least two stripes, or nothing gained
            plan(rows);
            const std::size_t total = workspaceBytes;
            if (total <= stripeBound() || rows <= kMinStripeRows) break;
            int64_t next = std::max<int64_t>(kMinStripeRows, int64_t(double(rows) * stripeBound() / total * 0.95));
            if (next >= rows) next = rows - 1;
            rows = next;
        }
        if (workspaceBytes >= unstriped) {
            configs_.clear();
            return;
        }
        pack();
    }

    bool valid() const { return !configs_.empty(); }

    Status run(RunContext& context) override {
        try {
            dnnl::stream& stream = dnnlStream();
            const Shape& x = spec_.x;
            const Shape& y = spec_.y;
            float* src = context.inputs[0].as<float>();
            float* dst = context.outputs[0].as<float>();
            void* srcBlocked = workspaceAt(context.workspace, 0);
            void* dstBlocked = workspaceAt(context.workspace, dstOffset_);
            void* scratch = workspaceAt(context.workspace, scratchOffset_);
            for (const Stripe& stripe : stripes_) {
                Config& c = configs_[stripe.config];
                c.srcUser.set_data_handle(src + stripe.firstInputRow * x[3]);
                c.dstUser.set_data_handle(dst + stripe.firstOutputRow * y[3]);
                c.srcBlocked.set_data_handle(srcBlocked);
                c.dstBlocked.set_data_handle(dstBlocked);
                std::unordered_map<int, memory> args{{DNNL_ARG_FROM, c.srcUser}, {DNNL_ARG_TO, c.srcBlocked}};
                if (c.ownIn) {
                    stripeToBlocked(src, static_cast<float*>(srcBlocked), x[0], x[1], x[2], x[3], stripe.firstInputRow,
                                    c.geometry.inputRows);
                } else {
                    if (c.reorderInScratch) {
                        c.reorderInScratch.set_data_handle(scratch);
                        args[DNNL_ARG_SCRATCHPAD] = c.reorderInScratch;
                    }
                    c.reorderIn.execute(stream, args);
                }
                args = {{DNNL_ARG_SRC, c.srcBlocked},
                        {DNNL_ARG_WEIGHTS, packed_.weights[c.weights]},
                        {DNNL_ARG_DST, c.dstBlocked}};
                if (packed_.bias) args[DNNL_ARG_BIAS] = packed_.bias;
                if (c.scratch) {
                    c.scratch.set_data_handle(scratch);
                    args[DNNL_ARG_SCRATCHPAD] = c.scratch;
                }
                c.primitive.execute(stream, args);
                if (c.ownOut) {
                    blockedToStripe(static_cast<const float*>(dstBlocked), dst, y[0], y[1], y[2], y[3],
                                    stripe.firstOutputRow, c.geometry.outputRows);
                    continue;
                }
                args = {{DNNL_ARG_FROM, c.dstBlocked}, {DNNL_ARG_TO, c.dstUser}};
                if (c.reorderOutScratch) {
                    c.reorderOutScratch.set_data_handle(scratch);
                    args[DNNL_ARG_SCRATCHPAD] = c.reorderOutScratch;
                }
                c.reorderOut.execute(stream, args);
            }
            stream.wait();
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
        memory srcUser, srcBlocked, dstBlocked, dstUser, scratch, reorderInScratch, reorderOutScratch;
        dnnl::reorder reorderIn, reorderOut;
        std::size_t weights = 0;             // index into packed_.weights
        bool ownIn = false, ownOut = false;  // nChw16c: stripeToBlocked / blockedToStripe
    };
    struct Stripe {
        std::size_t config;
        int64_t firstInputRow, firstOutputRow;
    };

    // Builds the stripes of `rows` output rows and their primitives; sets
    // workspaceBytes.
    void plan(int64_t rows) {
        configs_.clear();
        stripes_.clear();
        std::size_t srcMax = 0, dstMax = 0, scratchMax = 0;
        for (const StripeRows& g : stripesOf(spec_, rows)) {
            std::size_t index = 0;
            while (index < configs_.size() && !configs_[index].geometry.sameGeometry(g)) ++index;
            if (index == configs_.size()) {
                configs_.push_back(makeConfig(g));
                const Config& c = configs_.back();
                srcMax = std::max(srcMax, c.srcBlocked.get_desc().get_size());
                dstMax = std::max(dstMax, c.dstBlocked.get_desc().get_size());
                scratchMax = std::max(scratchMax, scratchBytes_);
            }
            stripes_.push_back({index, g.firstInputRow, g.firstOutputRow});
        }
        dstOffset_ = aligned(srcMax);
        scratchOffset_ = dstOffset_ + aligned(dstMax);
        workspaceBytes = scratchOffset_ + aligned(scratchMax);
    }

    Config makeConfig(const StripeRows& g) {
        const Shape& x = spec_.x;
        const Shape& y = spec_.y;
        Config c;
        c.geometry = g;
        const Shape xs{x[0], x[1], g.inputRows, x[3]};
        const Shape ys{y[0], y[1], g.outputRows, y[3]};
        const DnnlDims padBegin{g.padTop, spec_.window.padBegin[1]};
        const DnnlDims padEnd{g.padBottom, spec_.window.padEnd[1]};
        // Ask for the first stripe's weights layout so one packed copy serves all.
        const memory::desc firstWeights = configs_.empty() ? memory::desc() : configs_.front().pd.weights_desc();
        c.pd = choosePrimitive(spec_, xs, ys, padBegin, padEnd, configs_.empty() ? nullptr : &firstWeights);
        c.primitive = dnnl::convolution_forward(c.pd);
        scratchBytes_ = c.pd.scratchpad_desc().get_size();
        if (scratchBytes_ > 0) c.scratch = memory(c.pd.scratchpad_desc(), dnnlEngine(), DNNL_MEMORY_NONE);
        // The stripe inside the whole NCHW tensors: the full tensors' strides.
        const DnnlDims xStrides{x[1] * x[2] * x[3], x[2] * x[3], x[3], 1};
        const DnnlDims yStrides{y[1] * y[2] * y[3], y[2] * y[3], y[3], 1};
        c.srcUser = memory(stridedDesc(xs, xStrides), dnnlEngine(), DNNL_MEMORY_NONE);
        c.dstUser = memory(stridedDesc(ys, yStrides), dnnlEngine(), DNNL_MEMORY_NONE);
        c.srcBlocked = memory(c.pd.src_desc(), dnnlEngine(), DNNL_MEMORY_NONE);
        c.dstBlocked = memory(c.pd.dst_desc(), dnnlEngine(), DNNL_MEMORY_NONE);
        c.ownIn = c.pd.src_desc() == memory::desc(xs, memory::data_type::f32, memory::format_tag::nChw16c);
        c.ownOut = c.pd.dst_desc() == memory::desc(ys, memory::data_type::f32, memory::format_tag::nChw16c);
        dnnl::primitive_attr attributes;
        attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        dnnl::reorder::primitive_desc in(c.srcUser, c.srcBlocked, attributes);
        dnnl::reorder::primitive_desc out(c.dstBlocked, c.dstUser, attributes);
        c.reorderIn = dnnl::reorder(in);
        c.reorderOut = dnnl::reorder(out);
        if (in.scratchpad_desc().get_size() > 0)
            c.reorderInScratch = memory(in.scratchpad_desc(), dnnlEngine(), DNNL_MEMORY_NONE);
        if (out.scratchpad_desc().get_size() > 0)
            c.reorderOutScratch = memory(out.scratchpad_desc(), dnnlEngine(), DNNL_MEMORY_NONE);
        scratchBytes_ = std::max({scratchBytes_, in.scratchpad_desc().get_size(), out.scratchpad_desc().get_size()});
        return c;
    }

    // The weights once per distinct layout the stripes' primitives want
    // (normally one), and the bias.
    void pack() {
        for (Config& c : configs_) c.weights = packed_.packFor(spec_, c.pd.weights_desc());
        packed_.packBias(spec_, configs_.front().pd.bias_desc());
        packedBytes = packed_.bytes;
    }

    ConvSpec spec_;
    std::vector<Config> configs_;
    std::vector<Stripe> stripes_;
    StripeWeights packed_;
    std::size_t dstOffset_ = 0, scratchOffset_ = 0;
    std::size_t scratchBytes_ = 0;  // of the config makeConfig built last
};

}  // namespace

std::size_t convStripeBytes() { return stripeBound(); }

std::vector<StripeRows> stripesOf(const ConvSpec& spec, int64_t rows) {
    const int64_t height = spec.x[2], outRows = spec.y[2];
    const int64_t stride = spec.window.strides[0];
    const int64_t extent = spec.window.extent(0);
    const int64_t padTop = spec.window.padBegin[0];
    rows = std::max<int64_t>(rows, 1);
    const int64_t count = (outRows + rows - 1) / rows;
    rows = (outRows + count - 1) / count;
    std::vector<StripeRows> stripes;
    for (int64_t first = 0; first < outRows; first += rows) {
        StripeRows s;
        s.firstOutputRow = first;
        s.outputRows = std::min(rows, outRows - first);
        const int64_t firstNeeded = first * stride - padTop;
        const int64_t lastNeeded = (first + s.outputRows - 1) * stride - padTop + extent - 1;
        s.firstInputRow = std::max<int64_t>(firstNeeded, 0);
        const int64_t lastRow = std::min<int64_t>(lastNeeded, height - 1);
        s.inputRows = lastRow - s.firstInputRow + 1;
        s.padTop = s.firstInputRow - firstNeeded;
        s.padBottom = lastNeeded - lastRow;
        stripes.push_back(s);
    }
    return stripes;
}

std::size_t StripeWeights::packFor(const ConvSpec& spec, const memory::desc& wanted) {
    for (std::size_t index = 0; index < weights.size(); ++index)
        if (weights[index].get_desc() == wanted) return index;
    memory plain(plainDesc(weightDimsOf(spec)), dnnlEngine(), const_cast<float*>(spec.constantWeights->data<float>()));
    memory packed(wanted, dnnlEngine());
    dnnl::reorder(plain, packed).execute(dnnlStream(), plain, packed);
    dnnlStream().wait();
    weights.push_back(packed);
    bytes += wanted.get_size();
    return weights.size() - 1;
}

void StripeWeights::packBias(const ConvSpec& spec, const memory::desc& wanted) {
    if (!spec.hasBias) return;
    memory plain(plainDesc({spec.w[0]}), dnnlEngine(), const_cast<float*>(spec.constantBias->data<float>()));
    bias = memory(wanted, dnnlEngine());
    dnnl::reorder(plain, bias).execute(dnnlStream(), plain, bias);
    dnnlStream().wait();
    bytes += wanted.get_size();
}

std::unique_ptr<ConvPath> makeOneDnnConv(const ConvSpec& spec) {
    const auto pd = choosePrimitive(spec, spec.x, spec.y, spec.window.padBegin, spec.window.padEnd);
    const std::size_t unstriped = unstripedWorkspace(spec, pd);
    // Stripes cut NCHW rows; a blocked side needs no reorder to bound anyway.
    const bool plainSides = !spec.inBlock && !spec.outBlock;
    if (plainSides && spec.spatial() == 2 && unstriped > stripeBound() && spec.constantWeights &&
        (!spec.hasBias || spec.constantBias)) {
        auto striped = std::make_unique<StripedConv>(spec, unstriped);
        if (striped->valid()) return striped;
    }
    return std::make_unique<OneDnnConv>(spec, pd);
}

}  // namespace interstage::cpu::nn
