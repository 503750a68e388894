#include "cpu/ops/quant/int8_conv_onednn.h"

#include <string>
#include <vector>

#include "cpu/ops/nn/dnnl_context.h"
#include "cpu/parallel.h"

namespace interstage::cpu::quant {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Type = memory::data_type;

}  // namespace

bool Int8ConvOnednn::prepare(const Shape& x, const Shape& y, const nn::Window& window, bool xSigned,
                             const void* weights, bool wSigned) {
    n_ = x[0];
    c_ = x[1];
    h_ = x[2];
    w_ = x[3];
    m_ = y[1];
    oh_ = y[2];
    ow_ = y[3];
    window_ = window;
    xSigned_ = xSigned;
    const memory::dims weightDims{m_, c_, window.kernel[0], window.kernel[1]};
    try {
        const Type srcType = xSigned ? Type::s8 : Type::u8;
        plainSrc_ = memory::desc({n_, c_, h_, w_}, srcType, Tag::nchw);
        nhwcSrc_ = memory::desc({n_, c_, h_, w_}, srcType, Tag::nhwc);
        memory::desc weightsAny(weightDims, Type::s8, Tag::any);
        memory::desc dst({n_, m_, oh_, ow_}, Type::s32, Tag::nhwc);
        memory::dims dilations{window.dilations[0] - 1, window.dilations[1] - 1};
        dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                             nhwcSrc_, weightsAny, dst, {window.strides[0], window.strides[1]},
                                             dilations, {window.padBegin[0], window.padBegin[1]},
                                             {window.padEnd[0], window.padEnd[1]});
        dnnl::primitive_attr attributes = nn::makeAttributes(dnnl::post_ops());
        attributes.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
        pd_ = dnnl::convolution_forward::primitive_desc(desc, attributes, nn::dnnlEngine());
        // Only the JIT kernels are worth it; the reference conv is slower
        // than the im2col path.
        if (std::string(pd_.impl_info_str()).find("ref") != std::string::npos) return false;
        primitive_ = dnnl::convolution_forward(pd_);
        dnnl::primitive_attr reorderAttributes;
        reorderAttributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        toNhwc_ = dnnl::reorder(
            dnnl::reorder::primitive_desc(nn::dnnlEngine(), plainSrc_, nn::dnnlEngine(), nhwcSrc_, reorderAttributes));

        // Weights as int8 (uint8 shifted by 128), packed once.
        const int64_t count = m_ * c_ * window.kernel[0] * window.kernel[1];
        std::vector<int8_t> shifted(static_cast<size_t>(count));
        for (int64_t i = 0; i < count; ++i)
            shifted[i] = wSigned ? static_cast<const int8_t*>(weights)[i]
                                 : static_cast<int8_t>(static_cast<const uint8_t*>(weights)[i] - 128);
        memory user(memory::desc(weightDims, Type::s8, Tag::oihw), nn::dnnlEngine(), shifted.data());
        weights_ = memory(pd_.weights_desc(), nn::dnnlEngine());
        dnnl::reorder(user, weights_).execute(nn::dnnlStream(), user, weights_);
        nn::dnnlStream().wait();
        packedBytes_ = pd_.weights_desc().get_size();
    } catch (const std::exception&) {
        return false;
    }
    nn::WorkspacePlan plan;
    srcAt_ = plan.reserve(nhwcSrc_.get_size());
    productAt_ = plan.reserve(pd_.dst_desc().get_size());
    channelSumsAt_ = plan.reserve(static_cast<size_t>(n_ * h_ * w_) * sizeof(int32_t));
    windowSumsAt_ = plan.reserve(static_cast<size_t>(n_ * oh_ * ow_) * sizeof(int32_t));
    scratchAt_ = plan.reserve(pd_.scratchpad_desc().get_size());
    workspaceBytes_ = plan.total();
    return true;
}

Status Int8ConvOnednn::run(const void* x, int32_t xZero, void* workspace) {
    try {
        auto& engine = nn::dnnlEngine();
        auto& stream = nn::dnnlStream();
        memory plain(plainSrc_, engine, const_cast<void*>(x));
        memory nhwc(nhwcSrc_, engine, nn::workspaceAt(workspace, srcAt_));
        memory scratch(pd_.scratchpad_desc(), engine, nn::workspaceAt(workspace, scratchAt_));
        toNhwc_.execute(stream, {{DNNL_ARG_FROM, plain}, {DNNL_ARG_TO, nhwc}, {DNNL_ARG_SCRATCHPAD, scratch}});
        memory dst(pd_.dst_desc(), engine, nn::workspaceAt(workspace, productAt_));
        memory zero({{1}, Type::s32, Tag::x}, engine, &xZero);
        primitive_.execute(stream, {{DNNL_ARG_SRC, nhwc},
                                    {DNNL_ARG_WEIGHTS, weights_},
                                    {DNNL_ARG_DST, dst},
                                    {DNNL_ARG_SCRATCHPAD, scratch},
                                    {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, zero}});
        stream.wait();
    } catch (const std::exception& error) {
        return nn::dnnlRunFailure("int8 convolution", error);
    }
    return Status::ok();
}

const int32_t* Int8ConvOnednn::product(void* workspace) const {
    return static_cast<const int32_t*>(nn::workspaceAt(workspace, productAt_));
}

const int32_t* Int8ConvOnednn::windowSums(const void* x, int32_t xZero, void* workspace) const {
    auto* channelSums = static_cast<int32_t*>(nn::workspaceAt(workspace, channelSumsAt_));
    auto* sums = static_cast<int32_t*>(nn::workspaceAt(workspace, windowSumsAt_));
    const int64_t pixels = h_ * w_, outPixels = oh_ * ow_, channels = c_, images = n_;
    const bool xSigned = xSigned_;
    // Per input pixel, the sum over channels of (x - x_zero_point).
#pragma omp parallel for schedule(static) if (images * pixels * channels > kParallelWork)
    for (int64_t p = 0; p < images * pixels; ++p) {
        const int64_t image = p / pixels, at = p % pixels;
        int32_t sum = 0;
        for (int64_t c = 0; c < channels; ++c) {
            const int64_t i = (image * channels + c) * pixels + at;
            sum += xSigned ? static_cast<const int8_t*>(x)[i] : static_cast<const uint8_t*>(x)[i];
        }
        channelSums[p] = sum - static_cast<int32_t>(channels) * xZero;
    }
    // Then over each output pixel's window (padding adds nothing).
    const nn::Window& win = window_;
    const int64_t h = h_, w = w_, ow = ow_;
#pragma omp parallel for schedule(static) if (images * outPixels * 9 > kParallelWork)
    for (int64_t q = 0; q < images * outPixels; ++q) {
        const int64_t image = q / outPixels, oy = (q % outPixels) / ow, ox = q % ow;
        int32_t sum = 0;
        for (int64_t ky = 0; ky < win.kernel[0]; ++ky) {
            const int64_t iy = oy * win.strides[0] - win.padBegin[0] + ky * win.dilations[0];
            if (iy < 0 || iy >= h) continue;
            for (int64_t kx = 0; kx < win.kernel[1]; ++kx) {
                const int64_t ix = ox * win.strides[1] - win.padBegin[1] + kx * win.dilations[1];
                if (ix >= 0 && ix < w) sum += channelSums[image * pixels + iy * w + ix];
            }
        }
        sums[q] = sum;
    }
    return sums;
}

}  // namespace interstage::cpu::quant
