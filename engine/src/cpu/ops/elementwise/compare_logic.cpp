// Comparisons (Equal, Less, Greater, LessOrEqual, GreaterOrEqual) on every
// numeric type (Equal also on bool) and logic (And, Or, Xor) on bool, with
// numpy broadcasting; the outputs are bool tensors (one byte, 0 or 1).
#include "cpu/ops/elementwise/binary_loop.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"

namespace interstage::cpu::ew {

namespace {

struct EqualOp {
    template <class C>
    bool operator()(C a, C b) const {
        return a == b;
    }
};
struct LessOp {
    template <class C>
    bool operator()(C a, C b) const {
        return a < b;
    }
};
struct GreaterOp {
    template <class C>
    bool operator()(C a, C b) const {
        return a > b;
    }
};
struct LessOrEqualOp {
    template <class C>
    bool operator()(C a, C b) const {
        return a <= b;
    }
};
struct GreaterOrEqualOp {
    template <class C>
    bool operator()(C a, C b) const {
        return a >= b;
    }
};
// Logic reads any nonzero byte as true.
struct AndOp {
    bool operator()(uint8_t a, uint8_t b) const { return (a != 0) & (b != 0); }
};
struct OrOp {
    bool operator()(uint8_t a, uint8_t b) const { return (a != 0) | (b != 0); }
};
struct XorOp {
    bool operator()(uint8_t a, uint8_t b) const { return (a != 0) != (b != 0); }
};

// broadcastBinary<T, T, bool-byte, Op> for an operand type in Set.
template <class Op, unsigned Set>
BinaryFn pickCompare(DataType type) {
    BinaryFn fn = nullptr;
    dispatchType<Set>(type, [&](auto tag) {
        using T = typename decltype(tag)::type;
        fn = &broadcastBinary<T, T, uint8_t, Op>;
    });
    return fn;
}

class CompareKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        const Node& node = c.node();
        if (c.inputCount() != 2 || !c.hasInput(0) || !c.hasInput(1) || !c.hasOutput(0))
            return c.invalidHere("needs two inputs and one output");
        const DataType type = c.inputType(0);
        if (c.inputType(1) != type) return c.invalidHere("the two inputs differ in type");
        if (c.output(0).dtype != DataType::Bool) return c.invalidHere("output must be bool");

        const std::string& op = node.opType;
        if (op == "Equal")
            fn_ = pickCompare<EqualOp, kNumeric | kBool>(type);
        else if (op == "Less")
            fn_ = pickCompare<LessOp, kNumeric>(type);
        else if (op == "Greater")
            fn_ = pickCompare<GreaterOp, kNumeric>(type);
        else if (op == "LessOrEqual")
            fn_ = pickCompare<LessOrEqualOp, kNumeric>(type);
        else if (op == "GreaterOrEqual")
            fn_ = pickCompare<GreaterOrEqualOp, kNumeric>(type);
        else if (op == "And")
            fn_ = pickCompare<AndOp, kBool>(type);
        else if (op == "Or")
            fn_ = pickCompare<OrOp, kBool>(type);
        else if (op == "Xor")
            fn_ = pickCompare<XorOp, kBool>(type);
        else
            return c.unsupportedHere("not an op of the comparison kernel");
        if (!fn_) return c.unsupportedHere(dtypeRefusal(type));

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
        if (!plan_.update(a.shape, legacy_.apply(a.shape, b.shape), out.shape))
            return shapeError(name_ + ": input shapes do not broadcast to the output");
        fn_(plan_.plan(), a.data, b.data, out.data, Activation{});
        return Status::ok();
    }

private:
    BinaryFn fn_ = nullptr;
    BinaryPlanCache plan_;
    LegacyBroadcast legacy_;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeCompareKernel() { return std::make_unique<CompareKernel>(); }

}  // namespace interstage::cpu::ew
