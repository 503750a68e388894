// BatchNormalization on Vulkan (batch_norm.comp), inference mode, float32,
// rank >= 2 with channels on axis 1. Layer fusion folds most of them into
// the Conv before; the ones left (after a ConvTranspose in PP-OCRv4's
// detector head) would otherwise send the tensor to the CPU and back. The
// per-channel scale and shift are computed once, on the host, as the CPU
// kernel computes them.
#include <cmath>
#include <cstring>

#include "vulkan/vulkan_kernel.h"

namespace interstage::vulkan {

namespace {

class BatchNormKernel : public VulkanKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        const Node& node = context.node();
        if (context.inputCount() != 5) return context.invalidHere("needs 5 inputs (X, scale, B, mean, var)");
        for (size_t i = 0; i < 5; ++i)
            if (!context.hasInput(i)) return context.invalidHere("input " + std::to_string(i) + " is missing");
        IS_RETURN_IF_ERROR(requireFloat(context, {0, 1, 2, 3, 4}));
        if (node.attrInt("training_mode", 0) != 0 || node.attrInt("spatial", 1) != 1)
            return context.unsupportedHere("training mode or spatial=0");
        for (size_t o = 1; o < context.outputCount(); ++o)
            if (context.hasOutput(o)) return context.unsupportedHere("the mean / variance outputs");
        const Shape& x = context.inputShape(0);
        if (x.size() < 2) return context.invalidHere("input must have rank >= 2, not " + shapeToString(x));
        const int64_t channels = x[1];
        int64_t plane = 1;
        for (size_t d = 2; d < x.size(); ++d) plane *= x[d];
        std::vector<const float*> params;
        for (size_t i = 1; i < 5; ++i) {
            const TensorData* value = context.inputConstant(i);
            if (!value) return context.unsupportedHere("statistics known only at run time");
            if (value->elementCount() != channels)
                return context.invalidHere("input " + std::to_string(i) + " does not hold one value per channel");
            params.push_back(value->data<float>());
        }
        const float epsilon = node.attrFloat("epsilon", 1e-5f);
        table_.assign(static_cast<size_t>(2 * channels), 0);
        for (int64_t c = 0; c < channels; ++c) {
            const float scale = params[0][c] / std::sqrt(params[3][c] + epsilon);
            const float shift = params[1][c] - params[2][c] * scale;
            std::memcpy(&table_[static_cast<size_t>(c)], &scale, sizeof(float));
            std::memcpy(&table_[static_cast<size_t>(channels + c)], &shift, sizeof(float));
        }
        const int64_t count = elementCount(x).value_or(0);
        if (count > int64_t(UINT32_MAX)) return context.unsupportedHere("more than 2^32 elements");
        push_.count = static_cast<uint32_t>(count);
        push_.channels = static_cast<uint32_t>(channels);
        push_.plane = static_cast<uint32_t>(plane);
        const auto a = fusedActivationParams(node);  // BatchNorm -> Relu fused (passes/fuse_layers)
        push_.act = a.code, push_.alpha = a.alpha, push_.beta = a.beta;
        return Status::ok();
    }

    std::vector<std::vector<uint32_t>> constantData() const override { return {table_}; }
    bool readsInput(size_t i) const override { return i == 0; }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        const Binding bindings[] = {b.inputs[0], b.constants[0], b.outputs[0]};
        const int32_t constants[] = {static_cast<int32_t>(push_.act)};  // batch_norm.comp's ACT
        return recorder.dispatchSpecialized("batch_norm", constants, bindings, &push_, sizeof(push_), push_.count);
    }

private:
    struct {
        uint32_t count = 0, channels = 0, plane = 1;
        uint32_t act = 0;
        float alpha = 0, beta = 0;
    } push_;
    std::vector<uint32_t> table_;  // scale[C], then shift[C], as float bits
};

std::unique_ptr<VulkanKernel> make() { return std::make_unique<BatchNormKernel>(); }

}  // namespace

// The kernels this file gives the op table (ops/op_table.cpp).
namespace kernels {
const VulkanKernelFactory batchNorm = &make;
}  // namespace kernels

}  // namespace interstage::vulkan
