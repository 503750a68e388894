// Clip: bounds are attributes before opset 11 (float types) and optional
// scalar inputs from opset 11 (every numeric type), which may arrive only at
// run time. A missing bound leaves that side open.
#include <array>
#include <cstring>
#include <limits>

#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"
#include "cpu/ops/elementwise/vec_math.h"

namespace interstage::cpu::ew {

namespace {

// float32 rows: min(max(x, alpha), beta), NaN stays NaN.
EW_DEFINE_VEC_MAP(clipRow, vmin(vmax(x, splat(alpha)), splat(beta)))

// lo / hi point to one element of T, or are null for an open side.
template <class T>
void clipAll(const void* input, void* output, int64_t n, const void* lo, const void* hi) {
    using C = Compute<T>;
    const auto* in = static_cast<const T*>(input);
    auto* out = static_cast<T*>(output);
    const C low = lo ? load(*static_cast<const T*>(lo)) : std::numeric_limits<C>::lowest();
    const C high = hi ? load(*static_cast<const T*>(hi)) : std::numeric_limits<C>::max();
    // min(max(x, lo), hi): with lo > hi every element becomes hi, as numpy.clip does.
    if constexpr (std::is_same_v<T, float>) {
        parallelBlocks(n, n, [&](int64_t b, int64_t e) { clipRow(in + b, out + b, e - b, low, high, 0.f); });
    } else {
        parallelBlocks(n, n, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) out[i] = store<T>(std::min(std::max(load(in[i]), low), high));
        });
    }
}

// One element of T holding the float attribute v.
template <class T>
void storeBound(float v, std::array<std::byte, 8>& bytes) {
    const T t = store<T>(static_cast<Compute<T>>(v));
    std::memcpy(bytes.data(), &t, sizeof t);
}

using ClipFn = void (*)(const void*, void*, int64_t, const void*, const void*);

class ClipKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        if (!c.hasInput(0) || !c.hasOutput(0)) return c.invalidHere("needs an input and an output");
        if (c.inputCount() > 3) return c.invalidHere("takes at most three inputs");
        const DataType type = c.inputType(0);
        if (c.output(0).dtype != type) return c.invalidHere("output type differs from the input's");
        name_ = c.node().name;
        attributeBounds_ = c.opset() < 11;
        if (attributeBounds_) {
            dispatchType<kFloats>(type, [&](auto tag) {
                using T = typename decltype(tag)::type;
                fn_ = &clipAll<T>;
                const Node& node = c.node();
                storeBound<T>(node.attrFloat("min", std::numeric_limits<float>::lowest()), lo_);
                storeBound<T>(node.attrFloat("max", std::numeric_limits<float>::max()), hi_);
            });
        } else {
            dispatchType<kNumeric>(type, [&](auto tag) { fn_ = &clipAll<typename decltype(tag)::type>; });
            for (size_t i = 1; i < c.inputCount(); ++i) {
                if (!c.hasInput(i)) continue;
                if (c.inputType(i) != type) return c.invalidHere("bounds must have the input's type");
                if (c.input(i).shape.size() > 1 || dimProduct(c.input(i).shape, 0, 1) != 1)
                    return c.invalidHere("bounds must be scalars");
            }
        }
        if (!fn_) return c.unsupportedHere(dtypeRefusal(type));
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& in = c.inputs[0];
        const TensorView& out = c.outputs[0];
        if (in.count() != out.count()) return shapeError(name_ + ": output size differs from the input");
        const void* lo = lo_.data();
        const void* hi = hi_.data();
        if (!attributeBounds_) {
            lo = c.hasInput(1) && c.inputs[1].count() == 1 ? c.inputs[1].data : nullptr;
            hi = c.hasInput(2) && c.inputs[2].count() == 1 ? c.inputs[2].data : nullptr;
        }
        fn_(in.data, out.data, in.count(), lo, hi);
        return Status::ok();
    }

private:
    ClipFn fn_ = nullptr;
    bool attributeBounds_ = false;
    alignas(8) std::array<std::byte, 8> lo_{};  // attribute bounds as one element of T
    alignas(8) std::array<std::byte, 8> hi_{};
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeClipKernel() { return std::make_unique<ClipKernel>(); }

}  // namespace interstage::cpu::ew
