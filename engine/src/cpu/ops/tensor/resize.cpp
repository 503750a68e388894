// Resize (opset 10 and 11-18) and Upsample (opsets 7 / 9). The per-axis
// tap tables come from resize_plan; three loops use them:
//  - nearest, any dtype: every axis is an index map, rows are gathers, and
//    an output row reading the same source row as the one before is a memcpy;
//  - linear / cubic float32 resizing only the last two axes (the NCHW
//    image case, U^2-Net's hot path): input rows are interpolated along
//    the columns once each into a small per-thread cache, then each output
//    row blends Ty of them; parallel over N*C*H. Float16 / bfloat16 take
//    this loop too, each input row widened into the thread's scratch and
//    each output row narrowed from it (no other linear loop takes them);
//  - anything else (resizing N or C, 3-D volumes): a generic N-D loop.
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "cpu/half_rows.h"
#include "cpu/ops/tensor/resize_plan.h"
#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"
#include "cpu/parallel.h"

namespace interstage::cpu::tensor {

namespace {

// One input row interpolated along the columns: Tx taps per output column.
template <int Tx>
void interpolateRow(float* dst, const float* src, const int64_t* colIndex, const float* colWeight, int64_t width) {
    for (int64_t x = 0; x < width; ++x) {
        float sum = 0;
        for (int j = 0; j < Tx; ++j) sum += colWeight[Tx * x + j] * src[colIndex[Tx * x + j]];
        dst[x] = sum;
    }
}

// Linear or nearest over H and W of channels blocked innermost
// (Value::channelBlock): each (image, block) plane holds Block-float
// vectors, every lane weighted as the NCHW path weights it (columns first,
// then rows).
template <int Block>
void resizeBlocked(const float* src, float* dst, const AxisTaps& rows, const AxisTaps& cols, int64_t planes,
                   int64_t inH, int64_t inW, int64_t outH, int64_t outW) {
    const int ty = rows.taps, tx = cols.taps;
#pragma omp parallel for collapse(2) schedule(static) if (planes * outH * outW * Block > kParallelWork)
    for (int64_t plane = 0; plane < planes; ++plane) {
        for (int64_t y = 0; y < outH; ++y) {
            const float* in = src + plane * inH * inW * Block;
            float* out = dst + ((plane * outH + y) * outW) * Block;
            for (int64_t x = 0; x < outW; ++x) {
                float acc[Block] = {};
                for (int r = 0; r < ty; ++r) {
                    const float* line = in + rows.index[static_cast<size_t>(y * ty + r)] * inW * Block;
                    float h[Block] = {};
                    for (int c = 0; c < tx; ++c) {
                        const float w = cols.weight[static_cast<size_t>(x * tx + c)];
                        const float* v = line + cols.index[static_cast<size_t>(x * tx + c)] * Block;
                        for (int k = 0; k < Block; ++k) h[k] += w * v[k];
                    }
                    const float wr = rows.weight[static_cast<size_t>(y * ty + r)];
                    for (int k = 0; k < Block; ++k) acc[k] += wr * h[k];
                }
                for (int k = 0; k < Block; ++k) out[x * Block + k] = acc[k];
            }
        }
    }
}

class ResizeKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs a data input and one output");
        const Node& node = context.node();
        const bool upsample = node.opType == "Upsample";
        const int64_t opset = context.opset();
        const bool legacy = upsample || (opset > 0 && opset < 11);
        dtype_ = context.inputType(0);
        IS_RETURN_IF_ERROR(requireFixedSize(context, dtype_, "input"));
        inShape_ = context.inputShape(0);
        outShape_ = context.output(0).shape;
        block_ = context.input(0).channelBlock;
        if (block_ && (dtype_ != DataType::Float || inShape_.size() != 4 || inShape_[1] % block_ != 0 ||
                       context.output(0).channelBlock != block_))
            return context.invalidHere("a channel-blocked Resize needs 4-D float32 input and output of whole blocks");
        if (outShape_.size() != inShape_.size()) return context.invalidHere("output rank differs from the input's");

        std::string mode = node.attrString("mode", "nearest");
        if (!parseResizeMode(mode, attributes_.mode)) return context.invalidHere("unknown mode '" + mode + "'");
        if (legacy) {
            attributes_.coordinates = CoordinateMode::Asymmetric;
            attributes_.nearest = NearestMode::Legacy;
            if (attributes_.mode == ResizeMode::Cubic) return context.invalidHere("cubic mode needs opset 11");
        } else {
            std::string coordinates = node.attrString("coordinate_transformation_mode", "half_pixel");
            if (!parseCoordinateMode(coordinates, attributes_.coordinates))
                return context.invalidHere("unknown coordinate_transformation_mode '" + coordinates + "'");
            std::string nearest = node.attrString("nearest_mode", "round_prefer_floor");
            if (!parseNearestMode(nearest, attributes_.nearest))
                return context.invalidHere("unknown nearest_mode '" + nearest + "'");
            std::string policy = node.attrString("keep_aspect_ratio_policy", "stretch");
            if (!parseAspectPolicy(policy, attributes_.aspect))
                return context.invalidHere("unknown keep_aspect_ratio_policy '" + policy + "'");
            attributes_.cubicA = node.attrFloat("cubic_coeff_a", -0.75f);
            attributes_.excludeOutside = node.attrInt("exclude_outside", 0) != 0;
            attributes_.extrapolation = node.attrFloat("extrapolation_value", 0.0f);
            attributes_.axes = node.attrInts("axes");
            if (!normalizeAxes(attributes_.axes, static_cast<int64_t>(inShape_.size())))
                return context.invalidHere("axes are out of range or repeated");
            if (node.attrInt("antialias", 0) != 0) return context.unsupportedHere("antialias is not supported");
        }
        if (attributes_.mode != ResizeMode::Nearest && dtype_ != DataType::Float && !isHalfType(dtype_))
            return context.unsupportedHere(std::string(mode) + " resize of " + dataTypeName(dtype_) +
                                           " is not supported");
        scratchThreads_ = std::max({1, context.threads(), omp_get_max_threads()});
        extrapolation_.assign(dataTypeSize(dtype_), std::byte{0});
        storeNumber(dtype_, attributes_.extrapolation, extrapolation_.data());

        // Where the parameters come from: attributes (Upsample < 9), input 1
        // (Upsample 9, Resize 10) or inputs roi / scales / sizes (Resize 11+).
        if (upsample && opset > 0 && opset < 9) {
            ResizeParams params;
            if (node.hasAttr("scales")) {
                for (float s : node.attrFloats("scales")) params.scales.push_back(s);
            } else {
                params.scales = {1.0, 1.0, node.attrFloat("height_scale", 1.0f), node.attrFloat("width_scale", 1.0f)};
            }
            constantParams_ = true;
            return plan(params, &context);
        }
        if (legacy) {
            scalesInput_ = 1;
        } else {
            roiInput_ = 1;
            scalesInput_ = 2;
            sizesInput_ = 3;
        }
        for (size_t i = 1; i < context.inputCount(); ++i)
            if (context.hasInput(i) && !context.inputConstant(i)) return Status::ok();  // planned at run time
        ResizeParams params;
        auto readConstant = [&](size_t i, auto& out) {
            if (i < context.inputCount() && context.hasInput(i)) readParam(*context.inputConstant(i), out);
        };
        readConstant(roiInput_, params.roi);
        readConstant(scalesInput_, params.scales);
        readConstant(sizesInput_, params.sizes);
        constantParams_ = true;
        return plan(params, &context);
    }

    Status run(RunContext& context) override {
        if (!constantParams_) {
            ResizeParams params;
            auto readRuntime = [&](size_t i, auto& out) {
                if (context.hasInput(i)) readParam(context.inputs[i], out);
            };
            readRuntime(roiInput_, params.roi);
            readRuntime(scalesInput_, params.scales);
            readRuntime(sizesInput_, params.sizes);
            IS_RETURN_IF_ERROR(plan(params, nullptr));
        }
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        if (out.count() == 0) return Status::ok();
        if (block_)
            runBlocked(in.as<const float>(), out.as<float>());
        else if (attributes_.mode == ResizeMode::Nearest)
            runNearest(in, out);
        else if (lastTwoOnly_)
            runPlanar(in.data, out.data, scratch(context));
        else if (isHalfType(dtype_))
            return Status(StatusCode::Unsupported, "Resize of " + std::string(dataTypeName(dtype_)) +
                                                       " over other than the last two axes is not supported");
        else
            runGeneric(in.as<const float>(), out.as<float>());
        return Status::ok();
    }

    std::size_t workspaceBytes() const override { return scratchFloats() * sizeof(float); }

private:
    static constexpr int kCacheSlots = 4;  // cubic blends four input rows

    // Interpolated-row slots for runPlanar, per thread; for half types also
    // one widened input row and one float output row.
    std::size_t scratchFloats() const {
        if (attributes_.mode == ResizeMode::Nearest || outShape_.empty()) return 0;
        return static_cast<std::size_t>(scratchThreads_) * threadScratchFloats();
    }
    std::size_t threadScratchFloats() const {
        const auto outW = static_cast<std::size_t>(outShape_.back());
        const std::size_t halfRows = isHalfType(dtype_) ? static_cast<std::size_t>(inShape_.back()) + outW : 0;
        return kCacheSlots * outW + halfRows;
    }

    float* scratch(RunContext& context) {
        if (context.workspace) return static_cast<float*>(context.workspace);
        ownScratch_.resize(scratchFloats());  // only when an engine hands no workspace
        return ownScratch_.data();
    }

    static void readParam(const TensorView& view, std::vector<double>& out) { readNumbers(view, out); }
    static void readParam(const TensorData& value, std::vector<double>& out) { readNumbers(value, out); }
    static void readParam(const TensorView& view, std::vector<int64_t>& out) { readIntegers(view, out); }
    static void readParam(const TensorData& value, std::vector<int64_t>& out) { readIntegers(value, out); }

    Status plan(ResizeParams& params, const PrepareContext* context) {
        // An empty sizes input means "use scales" (and the other way round).
        if (!params.sizes.empty()) params.scales.clear();
        Status status = params.sizes.empty() && params.scales.empty()
                            ? invalidModel("neither scales nor sizes is given")
                            : planResize(attributes_, params, inShape_, outShape_, taps_);
        if (!status.isOk())
            return context ? context->invalidHere(status.message()) : invalidModel("Resize: " + status.message());
        const size_t rank = taps_.size();
        lastTwoOnly_ = true;
        for (size_t k = 0; k + 2 < rank; ++k) lastTwoOnly_ = lastTwoOnly_ && taps_[k].identity;
        if (block_ && (!lastTwoOnly_ || rank != 4 || taps_[2].anyOutside || taps_[3].anyOutside ||
                       attributes_.mode == ResizeMode::Cubic))
            return context ? context->invalidHere("a channel-blocked Resize scales H and W only, linear or nearest")
                           : invalidModel("Resize: a channel-blocked Resize scales H and W only, linear or nearest");
        return Status::ok();
    }

    void runBlocked(const float* src, float* dst) const {
        const int64_t planes = inShape_[0] * (inShape_[1] / block_);
        if (block_ == 16)
            resizeBlocked<16>(src, dst, taps_[2], taps_[3], planes, inShape_[2], inShape_[3], outShape_[2],
                              outShape_[3]);
        else
            resizeBlocked<8>(src, dst, taps_[2], taps_[3], planes, inShape_[2], inShape_[3], outShape_[2],
                             outShape_[3]);
    }

    void runNearest(const TensorView& in, const TensorView& out) const {
        const size_t rank = outShape_.size();
        const std::size_t es = dataTypeSize(dtype_);
        const auto* src = in.as<const char>();
        auto* dst = out.as<char>();
        if (rank == 0) {
            std::memcpy(dst, src, es);
            return;
        }
        const Shape inStrides = contiguousStrides(inShape_);
        const int64_t width = outShape_[rank - 1];
        const int64_t rows = out.count() / width;
        const AxisTaps& cols = taps_[rank - 1];
        const int64_t rowBytes = width * static_cast<int64_t>(es);
        const void* fill = extrapolation_.data();
#pragma omp parallel if (out.bytes() > static_cast <std::size_t>(kParallelBytes))
        {
            const int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
            const int64_t begin = rows * t / threads, end = rows * (t + 1) / threads;
            int64_t previousSource = -1;  // source row of this thread's previous output row
            for (int64_t row = begin; row < end; ++row) {
                char* outRow = dst + row * rowBytes;
                int64_t rest = row, source = 0;
                bool outside = false;
                for (size_t k = rank - 1; k-- > 0;) {
                    auto o = static_cast<size_t>(rest % outShape_[k]);
                    rest /= outShape_[k];
                    outside = outside || taps_[k].outside[o];
                    source += taps_[k].index[o] * inStrides[k];
                }
                if (outside) {
                    fillElements(outRow, fill, es, width);
                    previousSource = -1;
                    continue;
                }
                if (source == previousSource) {
                    std::memcpy(outRow, outRow - rowBytes, static_cast<std::size_t>(rowBytes));
                    continue;
                }
                previousSource = source;
                const char* inRow = src + source * static_cast<int64_t>(es);
                gatherRow(outRow, inRow, cols, width, es, fill);
            }
        }
    }

    static void gatherRow(char* out, const char* in, const AxisTaps& cols, int64_t width, std::size_t es,
                          const void* fill) {
        const int64_t* index = cols.index.data();
        switch (es) {
            case 4: {
                auto* o = reinterpret_cast<uint32_t*>(out);
                const auto* i = reinterpret_cast<const uint32_t*>(in);
                for (int64_t x = 0; x < width; ++x) o[x] = i[index[x]];
                break;
            }
            case 8: {
                auto* o = reinterpret_cast<uint64_t*>(out);
                const auto* i = reinterpret_cast<const uint64_t*>(in);
                for (int64_t x = 0; x < width; ++x) o[x] = i[index[x]];
                break;
            }
            default:
                for (int64_t x = 0; x < width; ++x)
                    std::memcpy(out + x * static_cast<int64_t>(es), in + index[x] * static_cast<int64_t>(es), es);
        }
        if (cols.anyOutside)
            for (int64_t x = 0; x < width; ++x)
                if (cols.outside[static_cast<size_t>(x)]) std::memcpy(out + x * static_cast<int64_t>(es), fill, es);
    }

    // Linear / cubic on float32 when only the last two axes change. Each
    // thread walks a run of output rows; the column-interpolated input rows
    // they need are kept in up to four cache slots of the scratch, so an
    // input row is interpolated once however many output rows blend it,
    // and the row blend itself is a contiguous, vectorizable loop.
    void runPlanar(const void* srcData, void* dstData, float* scratch) const {
        const bool half = isHalfType(dtype_);
        const std::size_t elem = dataTypeSize(dtype_);
        const auto* src = static_cast<const std::byte*>(srcData);
        auto* dst = static_cast<std::byte*>(dstData);
        const size_t rank = outShape_.size();
        static const AxisTaps single = [] {
            AxisTaps t;
            t.index = {0};
            t.weight = {1.0f};
            t.outside = {0};
            return t;
        }();
        const AxisTaps& rowsTaps = rank >= 2 ? taps_[rank - 2] : single;
        const AxisTaps& cols = taps_[rank - 1];
        const int64_t inH = rank >= 2 ? inShape_[rank - 2] : 1, inW = inShape_[rank - 1];
        const int64_t outH = rank >= 2 ? outShape_[rank - 2] : 1, outW = outShape_[rank - 1];
        const int64_t planes = product(outShape_, 0, rank >= 2 ? rank - 2 : 0);
        const int ty = rowsTaps.taps;
        const float fill = attributes_.extrapolation;
        const int64_t rows = planes * outH;
        const int threads = std::max(1, std::min(omp_get_max_threads(), scratchThreads_));
#pragma omp parallel num_threads(threads) if (rows * outW * 4 > kParallelBytes)
        {
            const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
            const int64_t begin = rows * t / nt, end = rows * (t + 1) / nt;
            float* slots = scratch + static_cast<std::size_t>(t) * threadScratchFloats();
            float* widened = slots + kCacheSlots * outW;      // half types: the input row as float
            float* outRow = widened + inW;                    // and the output row before narrowing
            int64_t slotKey[kCacheSlots] = {-1, -1, -1, -1};  // plane * inH + input row held by each slot
            for (int64_t row = begin; row < end; ++row) {
                const int64_t plane = row / outH, y = row % outH;
                float* out = half ? outRow : reinterpret_cast<float*>(dst) + row * outW;
                if (rowsTaps.outside[static_cast<size_t>(y)]) {
                    std::fill(out, out + outW, fill);
                    if (half) narrowRow(dtype_, out, dst + static_cast<std::size_t>(row * outW) * elem, outW);
                    continue;
                }
                const int64_t* rowIndex = &rowsTaps.index[static_cast<size_t>(y * ty)];
                const float* rowWeight = &rowsTaps.weight[static_cast<size_t>(y * ty)];
                const float* blended[kCacheSlots];
                for (int k = 0; k < ty; ++k) {
                    const int64_t key = plane * inH + rowIndex[k];
                    int slot = 0;
                    while (slot < kCacheSlots && slotKey[slot] != key) ++slot;
                    if (slot == kCacheSlots) {
                        // Evict a slot this output row does not need.
                        for (slot = 0; slot < kCacheSlots; ++slot) {
                            bool needed = false;
                            for (int m = 0; m < ty; ++m) needed = needed || slotKey[slot] == plane * inH + rowIndex[m];
                            if (!needed) break;
                        }
                        slotKey[slot] = key;
                        float* line = slots + slot * outW;
                        const float* in = reinterpret_cast<const float*>(src) + key * inW;
                        if (half) {
                            widenRow(dtype_, src + static_cast<std::size_t>(key * inW) * elem, widened, inW);
                            in = widened;
                        }
                        switch (cols.taps) {
                            case 1:
                                interpolateRow<1>(line, in, cols.index.data(), cols.weight.data(), outW);
                                break;
                            case 2:
                                interpolateRow<2>(line, in, cols.index.data(), cols.weight.data(), outW);
                                break;
                            default:
                                interpolateRow<4>(line, in, cols.index.data(), cols.weight.data(), outW);
                                break;
                        }
                    }
                    blended[k] = slots + slot * outW;
                }
                if (ty == 2) {
                    const float* a = blended[0];
                    const float* b = blended[1];
                    const float wa = rowWeight[0], wb = rowWeight[1];
                    for (int64_t x = 0; x < outW; ++x) out[x] = wa * a[x] + wb * b[x];
                } else {
                    for (int64_t x = 0; x < outW; ++x) {
                        float sum = 0;
                        for (int k = 0; k < ty; ++k) sum += rowWeight[k] * blended[k][x];
                        out[x] = sum;
                    }
                }
                if (cols.anyOutside)
                    for (int64_t x = 0; x < outW; ++x)
                        if (cols.outside[static_cast<size_t>(x)]) out[x] = fill;
                if (half) narrowRow(dtype_, out, dst + static_cast<std::size_t>(row * outW) * elem, outW);
            }
        }
    }

    // Any axes: every output element sums the product of its taps' weights
    // over all combinations of taps on the non-identity axes.
    void runGeneric(const float* src, float* dst) const {
        const size_t rank = outShape_.size();
        const Shape inStrides = contiguousStrides(inShape_);
        std::vector<size_t> active;
        for (size_t k = 0; k < rank; ++k)
            if (!taps_[k].identity) active.push_back(k);
        int64_t combos = 1;
        for (size_t k : active) combos *= taps_[k].taps;
        const int64_t total = product(outShape_, 0, rank);
        const float fill = attributes_.extrapolation;
#pragma omp parallel for schedule(static) if (total * combos > kParallelBytes)
        for (int64_t e = 0; e < total; ++e) {
            // Decompose e; identity axes read their own coordinate.
            int64_t coord[8] = {};
            std::vector<int64_t> bigCoord;
            int64_t* c = coord;
            if (rank > 8) {
                bigCoord.resize(rank);
                c = bigCoord.data();
            }
            int64_t rest = e, base = 0;
            bool outside = false;
            for (size_t k = rank; k-- > 0;) {
                c[k] = rest % outShape_[k];
                rest /= outShape_[k];
                outside = outside || taps_[k].outside[static_cast<size_t>(c[k])];
                if (taps_[k].identity) base += c[k] * inStrides[k];
            }
            if (outside) {
                dst[e] = fill;
                continue;
            }
            float sum = 0;
            for (int64_t combo = 0; combo < combos; ++combo) {
                int64_t pick = combo, offset = base;
                float weight = 1.0f;
                for (size_t k : active) {
                    const AxisTaps& t = taps_[k];
                    auto slot = static_cast<size_t>(c[k] * t.taps + pick % t.taps);
                    pick /= t.taps;
                    offset += t.index[slot] * inStrides[k];
                    weight *= t.weight[slot];
                }
                sum += weight * src[offset];
            }
            dst[e] = sum;
        }
    }

    DataType dtype_ = DataType::Float;
    Shape inShape_, outShape_;
    ResizeAttributes attributes_;
    std::vector<std::byte> extrapolation_;  // one element of the data's dtype
    size_t roiInput_ = SIZE_MAX, scalesInput_ = SIZE_MAX, sizesInput_ = SIZE_MAX;
    bool constantParams_ = false;
    bool lastTwoOnly_ = false;
    int scratchThreads_ = 1;
    std::vector<float> ownScratch_;
    std::vector<AxisTaps> taps_;
    int block_ = 0;  // the input's channel block (0: NCHW)
};

}  // namespace

std::unique_ptr<Kernel> makeResizeKernel() { return std::make_unique<ResizeKernel>(); }

}  // namespace interstage::cpu::tensor
