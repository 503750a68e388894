// Unary ops with bool results or bool inputs: Not, IsNaN, IsInf.
#include <cmath>

#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"

namespace interstage::cpu::ew {

namespace {

struct TestParams {
    bool negativeInf = true;
    bool positiveInf = true;
};

void notAll(const void* input, void* output, int64_t n, const TestParams&) {
    const auto* in = static_cast<const uint8_t*>(input);
    auto* out = static_cast<uint8_t*>(output);
    parallelBlocks(n, n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) out[i] = in[i] == 0;
    });
}

template <class T>
void isNanAll(const void* input, void* output, int64_t n, const TestParams&) {
    const auto* in = static_cast<const T*>(input);
    auto* out = static_cast<uint8_t*>(output);
    parallelBlocks(n, n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) out[i] = std::isnan(load(in[i]));
    });
}

template <class T>
void isInfAll(const void* input, void* output, int64_t n, const TestParams& p) {
    const auto* in = static_cast<const T*>(input);
    auto* out = static_cast<uint8_t*>(output);
    parallelBlocks(n, n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
            const auto x = load(in[i]);
            out[i] = std::isinf(x) && (x > 0 ? p.positiveInf : p.negativeInf);
        }
    });
}

using TestFn = void (*)(const void*, void*, int64_t, const TestParams&);

class UnaryTestKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        const Node& node = c.node();
        if (!c.hasInput(0) || !c.hasOutput(0)) return c.invalidHere("needs an input and an output");
        if (c.output(0).dtype != DataType::Bool) return c.invalidHere("output must be bool");
        const DataType type = c.inputType(0);
        if (node.opType == "Not") {
            if (type == DataType::Bool) fn_ = &notAll;
        } else if (node.opType == "IsNaN") {
            dispatchType<kFloats>(type, [&](auto tag) { fn_ = &isNanAll<typename decltype(tag)::type>; });
        } else if (node.opType == "IsInf") {
            params_.negativeInf = node.attrInt("detect_negative", 1) != 0;
            params_.positiveInf = node.attrInt("detect_positive", 1) != 0;
            dispatchType<kFloats>(type, [&](auto tag) { fn_ = &isInfAll<typename decltype(tag)::type>; });
        } else {
            return c.unsupportedHere("not an op of this kernel");
        }
        if (!fn_) return c.unsupportedHere(dtypeRefusal(type));
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& in = c.inputs[0];
        const TensorView& out = c.outputs[0];
        if (in.count() != out.count()) return {StatusCode::Internal, "output size differs from the input"};
        fn_(in.data, out.data, in.count(), params_);
        return Status::ok();
    }

private:
    TestFn fn_ = nullptr;
    TestParams params_;
};

}  // namespace

std::unique_ptr<Kernel> makeUnaryTestKernel() { return std::make_unique<UnaryTestKernel>(); }

}  // namespace interstage::cpu::ew
