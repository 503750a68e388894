// Unique: the unique elements (or slices along an axis), sorted or in order
// of first occurrence, with the index of each one's first occurrence, the
// inverse map and the counts. The grouping is ops/unique_slices.h, the
// same the shape rule sized the outputs with.
#include <cstring>

#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/select/select_kernels.h"
#include "ops/unique_slices.h"

namespace interstage::cpu::selection {

namespace {

template <class T>
ops::UniqueSlices group(const void* data, const ops::SliceLayout& layout, bool sorted) {
    return ops::uniqueSlices(static_cast<const T*>(data), layout, sorted, [](T v) { return ew::load(v); });
}

using GroupFn = ops::UniqueSlices (*)(const void*, const ops::SliceLayout&, bool);

class UniqueKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        name_ = c.node().name;
        if (!c.hasInput(0)) return c.invalidHere("needs an input");
        ew::dispatchType<ew::kNumeric | ew::kBool>(c.inputType(0),
                                                   [&](auto tag) { fn_ = &group<typename decltype(tag)::type>; });
        if (!fn_) return c.unsupportedHere(ew::dtypeRefusal(c.inputType(0)));
        hasAxis_ = c.node().hasAttr("axis");
        axis_ = c.node().attrInt("axis", 0);
        sorted_ = c.node().attrInt("sorted", 1) != 0;
        if (hasAxis_ && !ew::normalizeAxis(axis_, static_cast<int64_t>(c.inputShape(0).size()), axis_))
            return c.invalidHere("axis " + std::to_string(c.node().attrInt("axis", 0)) + " is out of range");
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& x = c.inputs[0];
        ops::SliceLayout layout;
        layout.length = x.count();
        if (hasAxis_) {
            const auto a = static_cast<size_t>(axis_);
            layout.outer = ew::dimProduct(x.shape, 0, a);
            layout.length = x.shape[a];
            layout.inner = ew::dimProduct(x.shape, a + 1, x.shape.size());
        }
        const ops::UniqueSlices groups = fn_(x.data, layout, sorted_);
        const auto unique = static_cast<int64_t>(groups.first.size());
        auto sizedFor = [&](size_t i, int64_t count) {
            return i >= c.outputs.size() || !c.outputs[i].data || c.outputs[i].count() == count;
        };
        if (!sizedFor(0, layout.outer * unique * layout.inner) || !sizedFor(1, unique) || !sizedFor(2, layout.length) ||
            !sizedFor(3, unique))
            return shapeError(name_ + " (Unique): the outputs were sized for another input (" + std::to_string(unique) +
                              " unique now)");
        if (!c.outputs.empty() && c.outputs[0].data) {
            const size_t slice = static_cast<size_t>(layout.inner) * dataTypeSize(x.dtype);
            const auto* src = static_cast<const std::byte*>(x.data);
            auto* dst = static_cast<std::byte*>(c.outputs[0].data);
            for (int64_t o = 0; o < layout.outer; ++o)
                for (int64_t u = 0; u < unique; ++u)
                    std::memcpy(dst + static_cast<size_t>(o * unique + u) * slice,
                                src + static_cast<size_t>(o * layout.length + groups.first[size_t(u)]) * slice, slice);
        }
        auto write = [&](size_t i, const std::vector<int64_t>& values) {
            if (i < c.outputs.size() && c.outputs[i].data)
                std::memcpy(c.outputs[i].data, values.data(), values.size() * sizeof(int64_t));
        };
        write(1, groups.first);
        write(2, groups.inverse);
        write(3, groups.counts);
        return Status::ok();
    }

private:
    GroupFn fn_ = nullptr;
    bool hasAxis_ = false, sorted_ = true;
    int64_t axis_ = 0;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeUniqueKernel() { return std::make_unique<UniqueKernel>(); }

}  // namespace interstage::cpu::selection
