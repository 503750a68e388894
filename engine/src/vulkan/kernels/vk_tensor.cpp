// Data-movement Vulkan kernels: Concat (concat.comp, one dispatch per
// input), Resize (resize.comp with tap tables from the CPU's planResize)
// and the ops that only reinterpret a shape (Reshape, Flatten, ...), which
// are a buffer copy.
#include <cstring>

#include "cpu/ops/tensor/resize_plan.h"
#include "vulkan/vulkan_kernel.h"

namespace interstage::vulkan {

namespace {

using namespace cpu::tensor;

class ConcatKernel : public VulkanKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        const Shape& out = context.output(0).shape;
        // On the device: 4 or 8 bytes, or float16 with fp16 storage.
        const std::size_t elem = deviceElementBytes(context.output(0).dtype);
        const std::size_t word = storageWordBytes();
        if (elem < word || elem > 8 || elem % word != 0)
            return context.unsupportedHere("Concat of elements of " + std::to_string(elem) + " bytes on the device");
        int64_t axis = context.node().attrInt("axis", 0);
        if (axis < 0) axis += static_cast<int64_t>(out.size());
        if (axis < 0 || axis >= static_cast<int64_t>(out.size())) return context.invalidHere("axis out of range");
        const uint32_t words = static_cast<uint32_t>(elem / word);  // wider elements move as several words
        uint64_t outer = 1, inner = words;
        for (int64_t d = 0; d < axis; ++d) outer *= static_cast<uint64_t>(out[static_cast<size_t>(d)]);
        for (size_t d = static_cast<size_t>(axis) + 1; d < out.size(); ++d) inner *= static_cast<uint64_t>(out[d]);
        const uint64_t outAxisInner = static_cast<uint64_t>(out[static_cast<size_t>(axis)]) * inner;
        uint64_t offset = 0;
        parts_.clear();
        for (size_t i = 0; i < context.inputCount(); ++i) {
            if (!context.hasInput(i)) return context.invalidHere("an omitted input");
            const Shape& in = context.inputShape(i);
            if (in.size() != out.size()) return context.invalidHere("input ranks differ");
            const uint64_t inAxisInner = static_cast<uint64_t>(in[static_cast<size_t>(axis)]) * inner;
            Part part;
            part.count = static_cast<uint32_t>(outer * inAxisInner);
            part.inAxisInner = static_cast<uint32_t>(inAxisInner);
            part.outAxisInner = static_cast<uint32_t>(outAxisInner);
            part.offset = static_cast<uint32_t>(offset);
            parts_.push_back(part);
            offset += inAxisInner;
        }
        return Status::ok();
    }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        for (size_t i = 0; i < parts_.size(); ++i) {
            if (parts_[i].count == 0) continue;
            const Binding bindings[] = {b.inputs[i], b.outputs[0]};
            Part part = parts_[i];
            // Rows, slot and output rows in whole vec4: concat_vec4.
            const bool vec4 = part.inAxisInner % 4 == 0 && part.outAxisInner % 4 == 0 && part.offset % 4 == 0;
            if (vec4) part.count /= 4, part.inAxisInner /= 4, part.outAxisInner /= 4, part.offset /= 4;
            IS_RETURN_IF_ERROR(
                recorder.dispatch(vec4 ? "concat_vec4" : "concat", bindings, &part, sizeof(Part), part.count));
        }
        return Status::ok();
    }

private:
    struct Part {
        uint32_t count = 0, inAxisInner = 1, outAxisInner = 1, offset = 0;
    };
    std::vector<Part> parts_;
};

class ResizeKernel : public VulkanKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        const Node& node = context.node();
        IS_RETURN_IF_ERROR(requireFloat(context, {0}));
        const Shape& in = context.inputShape(0);
        const Shape& out = context.output(0).shape;
        if (in.size() != 4 || out.size() != 4 || in[0] != out[0] || in[1] != out[1])
            return context.unsupportedHere("the Vulkan Resize scales H and W of NCHW only");
        if (context.opset() > 0 && context.opset() < 11) return context.unsupportedHere("Resize before opset 11");
        if (node.hasAttr("axes") || node.attrInt("antialias", 0) != 0)
            return context.unsupportedHere("Resize axes / antialias");
        ResizeAttributes attributes;
        if (!parseResizeMode(node.attrString("mode", "nearest"), attributes.mode) ||
            !parseCoordinateMode(node.attrString("coordinate_transformation_mode", "half_pixel"),
                                 attributes.coordinates) ||
            !parseNearestMode(node.attrString("nearest_mode", "round_prefer_floor"), attributes.nearest) ||
            !parseAspectPolicy(node.attrString("keep_aspect_ratio_policy", "stretch"), attributes.aspect))
            return context.invalidHere("unknown Resize attribute value");
        if (attributes.mode == ResizeMode::Cubic) return context.unsupportedHere("cubic Resize");
        if (attributes.coordinates == CoordinateMode::TfCropAndResize)
            return context.unsupportedHere("tf_crop_and_resize");

        // Constant scales / sizes as the CPU kernel reads them; otherwise
        // the sizes are the resolved output shape.
        ResizeParams params;
        auto constant = [&](size_t i) { return context.hasInput(i) ? context.inputConstant(i) : nullptr; };
        if (const TensorData* roi = constant(1))
            for (int64_t k = 0; k < roi->elementCount(); ++k) params.roi.push_back(roi->doubleAt(k));
        if (const TensorData* sizes = constant(3))
            for (int64_t k = 0; k < sizes->elementCount(); ++k) params.sizes.push_back(sizes->intAt(k));
        if (params.sizes.empty())
            if (const TensorData* scales = constant(2))
                for (int64_t k = 0; k < scales->elementCount(); ++k) params.scales.push_back(scales->doubleAt(k));
        const bool dynamic = (context.hasInput(2) && !constant(2)) || (context.hasInput(3) && !constant(3));
        if (dynamic || (params.sizes.empty() && params.scales.empty())) {
            params.scales.clear();
            params.sizes = out;
        }
        std::vector<AxisTaps> axes;
        Status planned = planResize(attributes, params, in, out, axes);
        if (!planned.isOk()) return context.invalidHere(planned.message());
        for (int a = 0; a < 2; ++a)
            if (!axes[static_cast<size_t>(a)].identity && axes[static_cast<size_t>(a)].taps != 1)
                return context.unsupportedHere("resizing N or C");
        const AxisTaps& h = axes[2];
        const AxisTaps& w = axes[3];
        if (h.taps != w.taps || h.taps > 2 || h.anyOutside || w.anyOutside)
            return context.unsupportedHere("this Resize variant");
        push_.count = static_cast<uint32_t>(out[0] * out[1] * out[2] * ((out[3] + 3) / 4));
        push_.H = static_cast<uint32_t>(in[2]), push_.W = static_cast<uint32_t>(in[3]);
        push_.OH = static_cast<uint32_t>(out[2]), push_.OW = static_cast<uint32_t>(out[3]);
        push_.taps = static_cast<uint32_t>(h.taps);
        // One uvec4 per output row, then per column (resize.comp): two
        // indices and two weights; a single tap repeats its index, weight 0.
        table_.clear();
        const auto bits = [](float weight) {
            uint32_t b = 0;
            std::memcpy(&b, &weight, sizeof(b));
            return b;
        };
        for (const AxisTaps* axis : {&h, &w}) {
            const size_t taps = static_cast<size_t>(axis->taps);
            for (size_t o = 0; o * taps < axis->index.size(); ++o) {
                const size_t second = taps > 1 ? o * taps + 1 : o * taps;
                table_.push_back(static_cast<uint32_t>(axis->index[o * taps]));
                table_.push_back(static_cast<uint32_t>(axis->index[second]));
                table_.push_back(bits(axis->weight[o * taps]));
                table_.push_back(taps > 1 ? bits(axis->weight[second]) : 0u);
            }
        }
        return Status::ok();
    }

    std::vector<std::vector<uint32_t>> constantData() const override { return {table_}; }
    bool readsInput(size_t i) const override { return i == 0; }

    Status record(Recorder& recorder, const KernelBindings& b) override {
        const Binding bindings[] = {b.inputs[0], b.constants[0], b.outputs[0]};
        return recorder.dispatch("resize", bindings, &push_, sizeof(push_), push_.count);
    }

private:
    struct {
        uint32_t count = 0, H = 0, W = 0, OH = 0, OW = 0, taps = 1;
    } push_;
    std::vector<uint32_t> table_;
};

// Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout (inference): the
// bytes do not change, only the shape, so the output is a copy.
class CopyKernel : public VulkanKernel {
public:
    Status prepare(const cpu::PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() < 1) return context.invalidHere("needs data in and out");
        for (size_t o = 1; o < context.outputCount(); ++o)
            if (context.hasOutput(o)) return context.unsupportedHere("a second output");
        if (context.node().opType == "Dropout" && context.inputCount() > 2 && context.hasInput(2)) {
            // Training mode drops elements: only a constant false keeps it a copy.
            const TensorData* training = context.inputConstant(2);
            if (!training || training->elementCount() != 1 || training->bytes.empty() ||
                training->bytes[0] != std::byte{0})
                return context.unsupportedHere("Dropout in training mode");
        }
        bytes_ = context.output(0).byteSize();
        if (bytes_ != context.input(0).byteSize() || dataTypeSize(context.inputType(0)) == 0)
            return context.unsupportedHere("a copy that changes the size");
        return Status::ok();
    }

    bool readsInput(size_t i) const override { return i == 0; }

    // The output binding's bytes: what the tensor takes on the device.
    Status record(Recorder& recorder, const KernelBindings& b) override {
        if (bytes_ == 0) return Status::ok();
        return recorder.copy(b.inputs[0], b.outputs[0], b.outputs[0].bytes);
    }

private:
    std::size_t bytes_ = 0;
};

template <class K>
std::unique_ptr<VulkanKernel> make() {
    return std::make_unique<K>();
}

}  // namespace

// The kernels this file gives the op table (ops/op_table.cpp).
namespace kernels {
const VulkanKernelFactory copy = &make<CopyKernel>;
const VulkanKernelFactory concat = &make<ConcatKernel>;
const VulkanKernelFactory resize = &make<ResizeKernel>;
}  // namespace kernels

}  // namespace interstage::vulkan
