// Broadcasting arithmetic: Add, Sub, Mul, Div, Mod, PRelu, BitShift, on
// every numeric type (BitShift: unsigned). Integer division and modulo by
// zero give 0 instead of trapping. A fused activation (Add + Relu from the
// fusion pass) is applied to each run of the float32 output while it is hot.
#include <cmath>
#include <type_traits>

#include "cpu/ops/elementwise/add_same_shape.h"
#include "cpu/ops/elementwise/binary_loop.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"

namespace interstage::cpu::ew {

namespace {

// Two's-complement negation without signed overflow.
template <class C>
C wrappingNeg(C a) {
    using U = std::make_unsigned_t<C>;
    return static_cast<C>(U(0) - static_cast<U>(a));
}

struct AddOp {
    template <class C>
    C operator()(C a, C b) const {
        return static_cast<C>(a + b);
    }
};
struct SubOp {
    template <class C>
    C operator()(C a, C b) const {
        return static_cast<C>(a - b);
    }
};
struct MulOp {
    template <class C>
    C operator()(C a, C b) const {
        return static_cast<C>(a * b);
    }
};
struct DivOp {
    template <class C>
    C operator()(C a, C b) const {
        if constexpr (std::is_integral_v<C>) {
            if (b == 0) return 0;
            if constexpr (std::is_signed_v<C>)
                if (b == C(-1)) return wrappingNeg(a);  // INT_MIN / -1 traps on x86
            return static_cast<C>(a / b);               // truncates toward zero
        } else {
            return a / b;
        }
    }
};
// fmod = 1: the result takes the dividend's sign (C fmod / %).
struct ModTruncOp {
    template <class C>
    C operator()(C a, C b) const {
        if constexpr (std::is_integral_v<C>) {
            if (b == 0) return 0;
            if constexpr (std::is_signed_v<C>)
                if (b == C(-1)) return 0;
            return static_cast<C>(a % b);
        } else {
            return std::fmod(a, b);
        }
    }
};
// fmod = 0: the result takes the divisor's sign (Python's %).
struct ModFloorOp {
    template <class C>
    C operator()(C a, C b) const {
        const C r = ModTruncOp{}(a, b);
        if constexpr (std::is_unsigned_v<C>) {
            return r;
        } else {
            if (r != 0 && ((r < 0) != (b < 0))) return static_cast<C>(r + b);
            return r;
        }
    }
};
struct PReluOp {
    template <class C>
    C operator()(C x, C slope) const {
        return x < C(0) ? static_cast<C>(x * slope) : x;
    }
};
struct ShiftLeftOp {
    template <class C>
    C operator()(C a, C b) const {
        return b >= C(sizeof(C) * 8) ? C(0) : static_cast<C>(a << b);
    }
};
struct ShiftRightOp {
    template <class C>
    C operator()(C a, C b) const {
        return b >= C(sizeof(C) * 8) ? C(0) : static_cast<C>(a >> b);
    }
};

class BinaryKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        const Node& node = c.node();
        if (c.inputCount() != 2 || !c.hasInput(0) || !c.hasInput(1) || !c.hasOutput(0))
            return c.invalidHere("needs two inputs and one output");
        const DataType type = c.inputType(0);
        if (c.inputType(1) != type) return c.invalidHere("the two inputs differ in type");
        if (c.output(0).dtype != type) return c.invalidHere("output type differs from the inputs'");

        const std::string& op = node.opType;
        if (op == "Add")
            fn_ = pickSameType<AddOp, kNumeric>(type);
        else if (op == "Sub")
            fn_ = pickSameType<SubOp, kNumeric>(type);
        else if (op == "Mul")
            fn_ = pickSameType<MulOp, kNumeric>(type);
        else if (op == "Div")
            fn_ = pickSameType<DivOp, kNumeric>(type);
        else if (op == "PRelu")
            fn_ = pickSameType<PReluOp, kNumeric>(type);
        else if (op == "Mod") {
            const int64_t fmod = node.attrInt("fmod", 0);
            if (fmod != 0 && fmod != 1) return c.invalidHere("fmod must be 0 or 1");
            fn_ = fmod ? pickSameType<ModTruncOp, kNumeric>(type) : pickSameType<ModFloorOp, kNumeric>(type);
        } else if (op == "BitShift") {
            const std::string direction = node.attrString("direction", "");
            if (direction == "LEFT")
                fn_ = pickSameType<ShiftLeftOp, kUnsignedInts>(type);
            else if (direction == "RIGHT")
                fn_ = pickSameType<ShiftRightOp, kUnsignedInts>(type);
            else
                return c.invalidHere("direction must be LEFT or RIGHT");
        } else {
            return c.unsupportedHere("not an op of the binary arithmetic kernel");
        }
        if (!fn_) return c.unsupportedHere(dtypeRefusal(type));

        activation_ = fusedActivation(node);
        if (activation_.active() && type != DataType::Float)
            return c.unsupportedHere("a fused activation on a non-float32 output");

        name_ = node.name;
        legacy_ = LegacyBroadcast::of(node, c.opset());
        sameShapeAdd_ = op == "Add" && type == DataType::Float && !legacy_.active && addSameShapeTakes(activation_);
        const Shape b = legacy_.apply(c.inputShape(0), c.inputShape(1));
        if (!plan_.prepare(c.inputShape(0), b, c.output(0).shape))
            return c.invalidHere("input shapes " + shapeToString(c.inputShape(0)) + " and " +
                                 shapeToString(c.inputShape(1)) + " do not broadcast to the output " +
                                 shapeToString(c.output(0).shape));
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& a = c.inputs[0];
        const TensorView& b = c.inputs[1];
        const TensorView& out = c.outputs[0];
        if (sameShapeAdd_ && a.shape == out.shape && b.shape == out.shape) {
            addSameShape(a.as<const float>(), b.as<const float>(), out.as<float>(), elementCount(out.shape).value_or(0),
                         activation_);
            return Status::ok();
        }
        if (!plan_.update(a.shape, legacy_.apply(a.shape, b.shape), out.shape))
            return shapeError(name_ + ": input shapes do not broadcast to the output");
        fn_(plan_.plan(), a.data, b.data, out.data, activation_);
        return Status::ok();
    }

private:
    BinaryFn fn_ = nullptr;
    BinaryPlanCache plan_;
    Activation activation_;
    LegacyBroadcast legacy_;
    std::string name_;
    bool sameShapeAdd_ = false;  // float32 Add: same-shape runs take addSameShape
};

}  // namespace

std::unique_ptr<Kernel> makeBinaryKernel() { return std::make_unique<BinaryKernel>(); }

}  // namespace interstage::cpu::ew
