// Dropout (Identity is the tensor family's copy). At inference Dropout is a copy and its optional mask
// is all true. In training mode (opset 12+, training_mode input true) it
// drops elements with the stream numpy's legacy RandomState draws for the
// `seed` attribute, so the ONNX reference outputs are reproduced exactly.
#include <cstring>
#include <random>

#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"

namespace interstage::cpu::ew {

namespace {

// One uniform double in [0, 1) the way numpy's legacy generator makes it
// from two 32-bit Mersenne Twister outputs.
double numpyUniform(std::mt19937& generator) {
    const uint32_t a = generator() >> 5;
    const uint32_t b = generator() >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

template <class T>
void fillOnes(void* data, int64_t n) {
    auto* p = static_cast<T*>(data);
    const T one = store<T>(static_cast<Compute<T>>(1));
    for (int64_t i = 0; i < n; ++i) p[i] = one;
}

// Training-mode dropout: y = x * keep / (1 - ratio), mask = keep.
template <class T>
void dropRandom(const void* input, void* output, void* mask, int64_t n, float ratio, uint32_t seed) {
    const auto* in = static_cast<const T*>(input);
    auto* out = static_cast<T*>(output);
    auto* keepMask = static_cast<uint8_t*>(mask);
    const auto scale = static_cast<Compute<T>>(1.0 / (1.0 - static_cast<double>(ratio)));
    std::mt19937 generator(seed);
    for (int64_t i = 0; i < n; ++i) {
        const bool keep = numpyUniform(generator) >= static_cast<double>(ratio);
        out[i] = store<T>(keep ? load(in[i]) * scale : Compute<T>(0));
        if (keepMask) keepMask[i] = keep;
    }
}

class DropoutKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        const Node& node = c.node();
        if (!c.hasInput(0) || !c.hasOutput(0)) return c.invalidHere("needs an input and an output");
        type_ = c.inputType(0);
        dispatchType<kFloats>(type_, [&](auto tag) { drop_ = &dropRandom<typename decltype(tag)::type>; });
        if (!drop_) return c.unsupportedHere(dtypeRefusal(type_));
        if (c.hasOutput(1)) {
            maskType_ = c.output(1).dtype;
            dispatchType<kFloats | kBool>(maskType_,
                                          [&](auto tag) { fillOnes_ = &fillOnes<typename decltype(tag)::type>; });
            if (!fillOnes_) return c.unsupportedHere(dtypeRefusal(maskType_, "mask"));
        }
        ratioAttribute_ = node.attrFloat("ratio", 0.5f);
        seeded_ = node.hasAttr("seed");
        seed_ = static_cast<uint32_t>(node.attrInt("seed", 0));
        name_ = node.name;
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& in = c.inputs[0];
        const TensorView& out = c.outputs[0];
        const int64_t n = in.count();
        if (out.count() != n) return {StatusCode::Internal, "Dropout: output size differs from the input"};
        void* mask = c.outputs.size() > 1 ? c.outputs[1].data : nullptr;

        bool training = false;
        if (c.hasInput(2)) {
            if (c.inputs[2].dtype != DataType::Bool || c.inputs[2].count() != 1)
                return invalidModel(name_ + ": training_mode must be one bool");
            training = *c.inputs[2].as<const uint8_t>() != 0;
        }
        float ratio = ratioAttribute_;
        if (c.hasInput(1)) {
            const TensorView& r = c.inputs[1];
            if (r.count() != 1) return invalidModel(name_ + ": ratio must be a scalar");
            if (r.dtype == DataType::Float)
                ratio = *r.as<const float>();
            else if (r.dtype == DataType::Double)
                ratio = static_cast<float>(*r.as<const double>());
            else if (r.dtype == DataType::Float16)
                ratio = halfToFloat(r.as<const Half>()->bits);
            else
                return unsupported(name_ + ": ratio of type " + dataTypeName(r.dtype));
        }

        if (!training || ratio == 0.f) {
            if (in.data != out.data && in.bytes() > 0) std::memcpy(out.data, in.data, in.bytes());
            if (mask) fillOnes_(mask, n);
            return Status::ok();
        }
        if (!(ratio > 0.f && ratio < 1.f)) return invalidModel(name_ + ": ratio must be in [0, 1)");
        if (mask && maskType_ != DataType::Bool) return unsupported(name_ + ": a non-bool mask in training mode");
        const uint32_t seed = seeded_ ? seed_ : std::random_device{}();
        drop_(in.data, out.data, mask, n, ratio, seed);
        return Status::ok();
    }

private:
    DataType type_ = DataType::Undefined;
    DataType maskType_ = DataType::Undefined;
    void (*drop_)(const void*, void*, void*, int64_t, float, uint32_t) = nullptr;
    void (*fillOnes_)(void*, int64_t) = nullptr;
    float ratioAttribute_ = 0.5f;
    bool seeded_ = false;
    uint32_t seed_ = 0;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeDropoutKernel() { return std::make_unique<DropoutKernel>(); }

}  // namespace interstage::cpu::ew
