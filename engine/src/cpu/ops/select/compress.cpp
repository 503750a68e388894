// Compress: the slices along an axis (or the elements of the flattened
// input) whose condition is true. The condition may be shorter than the
// axis; what it does not cover is dropped. The output was sized by the
// shape pass from the condition's values; the kernel checks the count.
#include <cstring>

#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/select/select_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::selection {

namespace {

class CompressKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        name_ = c.node().name;
        if (!c.hasInput(0) || !c.hasInput(1) || !c.hasOutput(0))
            return c.invalidHere("needs input, condition and output");
        IS_RETURN_IF_ERROR(tensor::requireFixedSize(c, c.inputType(0), "input"));
        hasAxis_ = c.node().hasAttr("axis");
        axis_ = c.node().attrInt("axis", 0);
        if (hasAxis_ && !ew::normalizeAxis(axis_, static_cast<int64_t>(c.inputShape(0).size()), axis_))
            return c.invalidHere("axis " + std::to_string(c.node().attrInt("axis", 0)) + " is out of range");
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& x = c.inputs[0];
        const TensorView& y = c.outputs[0];
        int64_t outer = 1, length = x.count(), inner = 1;
        if (hasAxis_) {
            const auto a = static_cast<size_t>(axis_);
            outer = ew::dimProduct(x.shape, 0, a);
            length = x.shape[a];
            inner = ew::dimProduct(x.shape, a + 1, x.shape.size());
        }
        std::vector<int64_t> condition;
        if (!tensor::readIntegers(c.inputs[1], condition))
            return invalidModel(name_ + " (Compress): condition must be bool or integer");
        if (static_cast<int64_t>(condition.size()) > length)
            return invalidModel(name_ + " (Compress): condition is longer than the axis it selects from");
        std::vector<int64_t> kept;
        for (size_t i = 0; i < condition.size(); ++i)
            if (condition[i] != 0) kept.push_back(static_cast<int64_t>(i));
        const auto count = static_cast<int64_t>(kept.size());
        if (y.count() != outer * count * inner)
            return shapeError(name_ + " (Compress): the output was sized for another condition");
        const size_t rowBytes = static_cast<size_t>(inner) * dataTypeSize(x.dtype);
        const auto* src = static_cast<const std::byte*>(x.data);
        auto* dst = static_cast<std::byte*>(y.data);
        for (int64_t o = 0; o < outer; ++o)
            for (int64_t j = 0; j < count; ++j)
                std::memcpy(dst + static_cast<size_t>(o * count + j) * rowBytes,
                            src + static_cast<size_t>(o * length + kept[size_t(j)]) * rowBytes, rowBytes);
        return Status::ok();
    }

private:
    bool hasAxis_ = false;
    int64_t axis_ = 0;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeCompressKernel() { return std::make_unique<CompressKernel>(); }

}  // namespace interstage::cpu::selection
