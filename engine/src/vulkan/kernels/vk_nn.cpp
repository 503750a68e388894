// Neural-network Vulkan kernels: MaxPool /
// AveragePool (pool2d.comp), the global pools (global_pool.comp) and Gemm /
// MatMul (gemm.comp). Attribute parsing reuses the CPU kernels' window
// helpers so both backends read a node the same way.
#include "cpu/activation.h"
#include "cpu/ops/nn/window.h"
#include "vulkan/kernels/conv_window_push.h"
#include "vulkan/kernels/window2d.h"
#include "vulkan/vulkan_kernel.h"

namespace interstage::vulkan {

namespace {

uint32_t u32(int64_t v) { return static_cast<uint32_t>(v); }

class PoolKernel : public VulkanKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        const Node& node = context.node();
        if (node.opType == "MaxPool" && context.outputCount() > 1 && context.hasOutput(1))
            return context.unsupportedHere("MaxPool's Indices output");
        IS_RETURN_IF_ERROR(requireFloat(context, {0}));
        cpu::nn::Window window;
        IS_RETURN_IF_ERROR(readWindow2d(context, {}, window));
        const Shape& x = context.inputShape(0);
        const Shape& y = context.output(0).shape;
        push_.count = u32(y[0] * y[1] * y[2] * y[3]);
        push_.H = u32(x[2]), push_.W = u32(x[3]), push_.OH = u32(y[2]), push_.OW = u32(y[3]);
        push_.kh = u32(window.kernel[0]), push_.kw = u32(window.kernel[1]);
        push_.strideH = u32(window.strides[0]), push_.strideW = u32(window.strides[1]);
        push_.dilH = u32(window.dilations[0]), push_.dilW = u32(window.dilations[1]);
        push_.padT = static_cast<int32_t>(window.padBegin[0]), push_.padL = static_cast<int32_t>(window.padBegin[1]);
        push_.padB = static_cast<int32_t>(window.padEnd[0]), push_.padR = static_cast<int32_t>(window.padEnd[1]);
        push_.isMax = node.opType == "MaxPool" ? 1 : 0;
        push_.countIncludePad = node.attrInt("count_include_pad", 0) != 0 ? 1 : 0;
        // 2x2 / stride-2 MaxPool over rows of whole vec4: maxpool2x2_vec4.
        const auto& w = push_;
        halving_ = w.isMax && w.kh == 2 && w.kw == 2 && w.strideH == 2 && w.strideW == 2 && w.dilH == 1 &&
                   w.dilW == 1 && w.padT == 0 && w.padL == 0 && w.W % 4 == 0 && w.OW == w.W / 2 &&
                   w.OH <= (w.H + 1) / 2;
        return Status::ok();
    }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        const Binding bindings[] = {b.inputs[0], b.outputs[0]};
        if (halving_) {
            const struct {
                uint32_t count, H, W, OH, OW;
            } push{push_.count / push_.OW * ((push_.OW + 3) / 4), push_.H, push_.W, push_.OH, push_.OW};
            return recorder.dispatch("maxpool2x2_vec4", bindings, &push, sizeof(push), push.count);
        }
        return recorder.dispatch("pool2d", bindings, &push_, sizeof(push_), push_.count);
    }

private:
    struct {
        uint32_t count = 0, H = 0, W = 0, OH = 0, OW = 0, kh = 1, kw = 1;
        uint32_t strideH = 1, strideW = 1, dilH = 1, dilW = 1;
        int32_t padT = 0, padL = 0, padB = 0, padR = 0;
        uint32_t isMax = 0, countIncludePad = 0;
    } push_;
    bool halving_ = false;
};

class GlobalPoolKernel : public VulkanKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        IS_RETURN_IF_ERROR(requireFloat(context, {0}));
        const Shape& x = context.inputShape(0);
        if (x.size() < 3) return context.invalidHere("needs N, C and spatial axes");
        int64_t plane = 1;
        for (size_t d = 2; d < x.size(); ++d) plane *= x[d];
        push_.planes = u32(x[0] * x[1]);
        push_.planeSize = u32(plane);
        push_.isMax = context.node().opType == "GlobalMaxPool" ? 1 : 0;
        return Status::ok();
    }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        const Binding bindings[] = {b.inputs[0], b.outputs[0]};
        // Large planes: a workgroup each (global_pool_wide), else an invocation.
        if (push_.planeSize >= kWideOutputValues)
            return recorder.dispatch("global_pool_wide", bindings, &push_, sizeof(push_), uint64_t{push_.planes} * 64);
        return recorder.dispatch("global_pool", bindings, &push_, sizeof(push_), push_.planes);
    }

private:
    struct {
        uint32_t planes = 0, planeSize = 0, isMax = 0;
    } push_;
};

// Gemm: 2D with transposes, alpha, beta and a broadcast C. MatMul: batched
// when both operands have the same batch dims or B is 2D.
class GemmKernel : public VulkanKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        const Node& node = context.node();
        for (const char* view : {"_view_perm_0", "_view_perm_1", "_view_perm_out"})
            if (node.hasAttr(view)) return context.unsupportedHere("a folded Transpose has no Vulkan form");
        IS_RETURN_IF_ERROR(requireFloat(context, {0, 1, 2}));
        const Shape& a = context.inputShape(0);
        const Shape& b = context.inputShape(1);
        const Shape& y = context.output(0).shape;
        if (node.opType == "Gemm") {
            if (a.size() != 2 || b.size() != 2) return context.invalidHere("Gemm takes 2D A and B");
            const bool ta = node.attrInt("transA", 0) != 0, tb = node.attrInt("transB", 0) != 0;
            push_.M = u32(ta ? a[1] : a[0]), push_.K = u32(ta ? a[0] : a[1]);
            push_.N = u32(tb ? b[0] : b[1]);
            push_.aRow = ta ? 1 : push_.K, push_.aCol = ta ? push_.M : 1;
            push_.bRow = tb ? 1 : push_.N, push_.bCol = tb ? push_.K : 1;
            push_.alpha = node.attrFloat("alpha", 1.0f), push_.beta = node.attrFloat("beta", 1.0f);
            if (context.hasInput(2)) {
                const Shape& c = context.inputShape(2);
                if (c.size() > 2) return context.invalidHere("C has rank above 2");
                const int64_t rows = c.size() == 2 ? c[0] : 1, cols = c.empty() ? 1 : c.back();
                push_.hasC = 1;
                push_.cRow = rows == 1 ? 0 : u32(cols);
                push_.cCol = cols == 1 ? 0 : 1;
            }
            push_.count = push_.M * push_.N;
        } else {
            if (a.size() < 2 || b.size() < 2) return context.unsupportedHere("1D MatMul operands");
            if (b.size() > 2 && Shape(a.begin(), a.end() - 2) != Shape(b.begin(), b.end() - 2))
                return context.unsupportedHere("MatMul batch broadcasting");
            push_.M = u32(a[a.size() - 2]), push_.K = u32(a.back()), push_.N = u32(b.back());
            push_.aRow = push_.K, push_.aCol = 1, push_.bRow = push_.N, push_.bCol = 1;
            push_.aBatch = push_.M * push_.K;
            push_.bBatch = b.size() > 2 ? push_.K * push_.N : 0;
            push_.count = static_cast<uint32_t>(context.output(0).byteSize() / sizeof(float));
        }
        if (y.size() < 2 || u32(y[y.size() - 2]) != push_.M || u32(y.back()) != push_.N)
            return context.invalidHere("output shape does not fit the operands");
        const cpu::Activation::Kind kind = cpu::fusedActivation(node).kind;
        if (kind == cpu::Activation::Kind::GeluErf || kind == cpu::Activation::Kind::GeluTanh)
            return context.unsupportedHere("a fused GELU has no Vulkan form");
        if (context.inputCount() > 2 && node.opType == "MatMul")
            return context.unsupportedHere("a fused MatMul bias has no Vulkan form");
        const auto act = fusedActivationParams(node);
        push_.act = act.code, push_.actAlpha = act.alpha, push_.actBeta = act.beta;
        return Status::ok();
    }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        const Binding c = push_.hasC ? b.inputs[2] : b.inputs[1];  // a stand-in, never read
        const Binding bindings[] = {b.inputs[0], b.inputs[1], c, b.outputs[0]};
        // 4 x 4 blocks where both sides have 4 (gemm_tiled), else one output each.
        if (push_.M >= 4 && push_.N >= 4) {
            auto push = push_;
            const uint32_t batches = push_.count / (push_.M * push_.N);
            push.count = batches * ((push_.M + 3) / 4) * ((push_.N + 3) / 4);
            return recorder.dispatch("gemm_tiled", bindings, &push, sizeof(push), push.count);
        }
        return recorder.dispatch("gemm", bindings, &push_, sizeof(push_), push_.count);
    }

private:
    struct {
        uint32_t count = 0, M = 0, N = 0, K = 0;
        uint32_t aRow = 0, aCol = 0, bRow = 0, bCol = 0, aBatch = 0, bBatch = 0;
        uint32_t hasC = 0, cRow = 0, cCol = 0;
        float alpha = 1, beta = 1;
        uint32_t act = 0;
        float actAlpha = 0, actBeta = 0;
    } push_;
};

template <class K>
std::unique_ptr<VulkanKernel> make() {
    return std::make_unique<K>();
}

}  // namespace

// The kernels this file gives the op table (ops/op_table.cpp).
namespace kernels {
const VulkanKernelFactory pool = &make<PoolKernel>;
const VulkanKernelFactory globalPool = &make<GlobalPoolKernel>;
const VulkanKernelFactory gemm = &make<GemmKernel>;
}  // namespace kernels

}  // namespace interstage::vulkan
