// Pow with numpy broadcasting. The exponent may have another type than the
// base (opset 12+); the result has the base's type. A single-element float32
// exponent of 0.5, 1, 2 or 3 (x^2 in norms and variances) skips pow().
#include <cmath>

#include "cpu/ops/elementwise/binary_loop.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"

namespace interstage::cpu::ew {

namespace {

struct PowOp {
    template <class A, class B>
    auto operator()(A base, B exponent) const {
        if constexpr (std::is_same_v<A, float> && std::is_same_v<B, float>) {
            return std::pow(base, exponent);
        } else {
            // Mixed or integer types: double holds every int32 and the
            // results the test data and real models produce exactly.
            return std::pow(static_cast<double>(base), static_cast<double>(exponent));
        }
    }
};

constexpr unsigned kBaseTypes = kFloats | kSignedInts | kUnsignedInts;

BinaryFn pickPow(DataType base, DataType exponent) {
    BinaryFn fn = nullptr;
    dispatchType<kBaseTypes>(base, [&](auto baseTag) {
        using A = typename decltype(baseTag)::type;
        dispatchType<kNumeric>(exponent, [&](auto exponentTag) {
            using B = typename decltype(exponentTag)::type;
            fn = &broadcastBinary<A, B, A, PowOp>;
        });
    });
    return fn;
}

// out = in ^ e for the exponents that have a cheaper exact form; false
// when e is not one of them.
bool powByScalar(const float* in, float* out, int64_t n, float e) {
    if (e == 2.f) {
        parallelBlocks(n, n, [&](int64_t b, int64_t end) {
            for (int64_t i = b; i < end; ++i) out[i] = in[i] * in[i];
        });
    } else if (e == 3.f) {
        parallelBlocks(n, n, [&](int64_t b, int64_t end) {
            for (int64_t i = b; i < end; ++i) out[i] = in[i] * in[i] * in[i];
        });
    } else if (e == 1.f) {
        parallelBlocks(n, n, [&](int64_t b, int64_t end) {
            for (int64_t i = b; i < end; ++i) out[i] = in[i];
        });
    } else if (e == 0.5f) {
        parallelBlocks(n, n * 4, [&](int64_t b, int64_t end) {
            for (int64_t i = b; i < end; ++i) out[i] = std::sqrt(in[i]);
        });
    } else {
        return false;
    }
    return true;
}

class PowKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        const Node& node = c.node();
        if (c.inputCount() != 2 || !c.hasInput(0) || !c.hasInput(1) || !c.hasOutput(0))
            return c.invalidHere("needs two inputs and one output");
        const DataType base = c.inputType(0), exponent = c.inputType(1);
        if (c.output(0).dtype != base) return c.invalidHere("output type differs from the base's");
        fn_ = pickPow(base, exponent);
        if (!fn_)
            return c.unsupportedHere(std::string("base type ") + dataTypeName(base) + " with exponent type " +
                                     dataTypeName(exponent) + " is not supported");
        floatOnly_ = base == DataType::Float && exponent == DataType::Float;
        name_ = node.name;
        legacy_ = LegacyBroadcast::of(node, c.opset());
        if (!plan_.prepare(c.inputShape(0), legacy_.apply(c.inputShape(0), c.inputShape(1)), c.output(0).shape))
            return c.invalidHere("input shapes " + shapeToString(c.inputShape(0)) + " and " +
                                 shapeToString(c.inputShape(1)) + " do not broadcast to the output");
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& a = c.inputs[0];
        const TensorView& b = c.inputs[1];
        const TensorView& out = c.outputs[0];
        if (floatOnly_ && b.count() == 1 && a.count() == out.count() &&
            powByScalar(a.as<const float>(), out.as<float>(), out.count(), *b.as<const float>()))
            return Status::ok();
        if (!plan_.update(a.shape, legacy_.apply(a.shape, b.shape), out.shape))
            return shapeError(name_ + ": input shapes do not broadcast to the output");
        fn_(plan_.plan(), a.data, b.data, out.data, Activation{});
        return Status::ok();
    }

private:
    BinaryFn fn_ = nullptr;
    bool floatOnly_ = false;
    BinaryPlanCache plan_;
    LegacyBroadcast legacy_;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makePowKernel() { return std::make_unique<PowKernel>(); }

}  // namespace interstage::cpu::ew
