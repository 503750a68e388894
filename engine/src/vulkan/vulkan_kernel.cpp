// The Vulkan op registry and the helpers every kernel shares.
#include "vulkan/vulkan_kernel.h"

#include <algorithm>

#include "cpu/activation.h"
#include "cpu/ops/tensor/tensor_util.h"
#include "ops/op_table.h"
#include "vulkan/shaders/op_codes.h"

namespace interstage::vulkan {

ActivationParams fusedActivationParams(const Node& node) {
    const cpu::Activation a = cpu::fusedActivation(node);
    ActivationParams p;
    p.alpha = a.alpha;
    p.beta = a.beta;
    switch (a.kind) {
        case cpu::Activation::Kind::None:
            p.code = ACT_NONE;
            break;
        case cpu::Activation::Kind::Relu:
            p.code = ACT_RELU;
            break;
        case cpu::Activation::Kind::Clip:
            p.code = ACT_CLIP;
            break;
        case cpu::Activation::Kind::Sigmoid:
            p.code = ACT_SIGMOID;
            break;
        case cpu::Activation::Kind::HardSigmoid:
            p.code = ACT_HARD_SIGMOID;
            break;
        case cpu::Activation::Kind::HardSwish:
            p.code = ACT_HARD_SWISH;
            break;
        case cpu::Activation::Kind::LeakyRelu:
            p.code = ACT_LEAKY_RELU;
            break;
        case cpu::Activation::Kind::GeluErf:   // no shader form: GPU sessions never fuse it (PassOptions::cpuFusions),
        case cpu::Activation::Kind::GeluTanh:  // and the gemm kernel refuses a node that has it
            p.code = ACT_NONE;
            break;
    }
    return p;
}

Status requireFloat(const cpu::PrepareContext& context, std::initializer_list<size_t> inputs) {
    for (size_t i : inputs)
        if (context.hasInput(i) && context.inputType(i) != DataType::Float)
            return context.unsupportedHere(std::string("the Vulkan kernel takes float32, not ") +
                                           dataTypeName(context.inputType(i)));
    for (size_t o = 0; o < context.outputCount(); ++o)
        if (context.hasOutput(o) && context.output(o).dtype != DataType::Float)
            return context.unsupportedHere("the Vulkan kernel writes float32 only");
    return Status::ok();
}

Status wordWalk(const cpu::PrepareContext& context, const cpu::tensor::StridedView& view, std::size_t elementBytes,
                std::size_t wordBytes, WordWalk& walk) {
    if (elementBytes < wordBytes || elementBytes > 8 || elementBytes % wordBytes != 0)
        return context.unsupportedHere("elements of " + std::to_string(elementBytes) + " bytes on the device (" +
                                       std::to_string(wordBytes) + " to 8, in words of " + std::to_string(wordBytes) +
                                       ")");
    const auto words = static_cast<int64_t>(elementBytes / wordBytes);
    Shape dims = view.shape, strides = view.strides;
    for (int64_t& s : strides) s *= words;
    dims.push_back(words);
    strides.push_back(1);
    walk = WordWalk{};
    walk.wordBytes = static_cast<int64_t>(wordBytes);
    walk.offset = view.offset * words;
    walk.words = 1;
    for (int64_t d : dims) walk.words *= d;
    if (walk.words > int64_t(UINT32_MAX)) return context.unsupportedHere("more than 2^32 words");
    for (const auto& dim : cpu::tensor::simplifyStrided(dims, strides)) {
        walk.dims.push_back(dim.size);
        walk.strides.push_back(dim.stride);
    }
    if (walk.dims.size() > WordWalk::kMaxDims)
        return context.unsupportedHere(std::to_string(walk.dims.size()) + " dims that do not merge (at most " +
                                       std::to_string(WordWalk::kMaxDims) + ")");
    return Status::ok();
}

VulkanKernelFactory findVulkanKernel(const std::string& opType) {
    const ops::OpEntry* op = ops::findOp(opType);
    return op ? op->vulkan : nullptr;
}

std::vector<std::string> vulkanSupportedOps() {
    std::vector<std::string> names;
    for (const ops::OpEntry& op : ops::allOps())
        if (op.vulkan) names.push_back(op.name);
    return names;
}

}  // namespace interstage::vulkan
