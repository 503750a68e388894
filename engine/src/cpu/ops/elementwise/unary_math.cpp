// Unary math and activations, driven by one table: each op has a scalar
// formula (float, double, float16, and for a few ops the integer types) and,
// where it is hot in real models, a vectorized float32 row (vec_math.h).
#include <cmath>
#include <cstring>
#include <limits>

#include "cpu/half_rows.h"
#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/elementwise/elementwise_kernels.h"
#include "cpu/ops/elementwise/vec_math.h"

namespace interstage::cpu::ew {

namespace {

enum class UnaryOp {
    Relu,
    Sigmoid,
    Tanh,
    Erf,
    Sqrt,
    Exp,
    Log,
    Neg,
    Abs,
    Reciprocal,
    Floor,
    Ceil,
    Round,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Asinh,
    Acosh,
    Atanh,
    Softplus,
    Softsign,
    Sign,
    HardSigmoid,
    HardSwish,
    LeakyRelu,
    Elu,
    Selu,
    Celu,
    ThresholdedRelu,
    Shrink,
    Gelu,
    GeluTanh,
    Mish,
};

struct UnaryParams {
    float alpha = 0, beta = 0, gamma = 0;
};

using VecRow = void (*)(const float*, float*, int64_t, float, float, float);

// ---- vectorized float32 rows
// (clang-format reads "alpha * x" in macro arguments as a declaration)
// clang-format off
EW_DEFINE_VEC_MAP(reluRow, vmax(x, VecF{}))
EW_DEFINE_VEC_MAP(sigmoidRow, vsigmoid(x))
EW_DEFINE_VEC_MAP(tanhRow, vtanh(x))
EW_DEFINE_VEC_MAP(erfRow, verf(x))
EW_DEFINE_VEC_MAP(expRow, vexp(x))
EW_DEFINE_VEC_MAP(negRow, -x)
EW_DEFINE_VEC_MAP(absRow, vabs(x))
EW_DEFINE_VEC_MAP(reciprocalRow, 1.f / x)
EW_DEFINE_VEC_MAP(softsignRow, x / (1.f + vabs(x)))
EW_DEFINE_VEC_MAP(hardSigmoidRow, vmax(VecF{}, vmin(splat(1.f), alpha * x + beta)))
EW_DEFINE_VEC_MAP(hardSwishRow, x * vmax(VecF{}, vmin(splat(1.f), x * (1.f / 6.f) + 0.5f)))
EW_DEFINE_VEC_MAP(leakyReluRow, x >= 0.f ? x : alpha * x)
EW_DEFINE_VEC_MAP(eluRow, x >= 0.f ? x : alpha * (vexp(x) - 1.f))
EW_DEFINE_VEC_MAP(seluRow, x > 0.f ? gamma * x : gamma * alpha * (vexp(x) - 1.f))
EW_DEFINE_VEC_MAP(celuRow, vmax(x, VecF{}) + vmin(VecF{}, alpha * (vexp(x / alpha) - 1.f)))
EW_DEFINE_VEC_MAP(thresholdedReluRow, x > alpha ? x : VecF{})
EW_DEFINE_VEC_MAP(geluRow, 0.5f * x * (1.f + verf(x * 0.70710678118654752f)))
EW_DEFINE_VEC_MAP(geluTanhRow, 0.5f * x * (1.f + vtanh(0.79788456080286536f * (x + 0.044715f * x * x * x))))
// clang-format on

struct UnarySpec {
    const char* name;
    UnaryOp op;
    bool integers;  // also defined on integer tensors
    bool costly;    // transcendental: worth threads on smaller tensors
    VecRow vecRow;  // float32 fast path, or nullptr
};

const UnarySpec kUnaryOps[] = {
    {"Relu", UnaryOp::Relu, true, false, &reluRow},
    {"Sigmoid", UnaryOp::Sigmoid, false, true, &sigmoidRow},
    {"Tanh", UnaryOp::Tanh, false, true, &tanhRow},
    {"Erf", UnaryOp::Erf, false, true, &erfRow},
    {"Sqrt", UnaryOp::Sqrt, false, false, nullptr},
    {"Exp", UnaryOp::Exp, false, true, &expRow},
    {"Log", UnaryOp::Log, false, true, nullptr},
    {"Neg", UnaryOp::Neg, true, false, &negRow},
    {"Abs", UnaryOp::Abs, true, false, &absRow},
    {"Reciprocal", UnaryOp::Reciprocal, false, false, &reciprocalRow},
    {"Floor", UnaryOp::Floor, false, false, nullptr},
    {"Ceil", UnaryOp::Ceil, false, false, nullptr},
    {"Round", UnaryOp::Round, false, false, nullptr},
    {"Sin", UnaryOp::Sin, false, true, nullptr},
    {"Cos", UnaryOp::Cos, false, true, nullptr},
    {"Tan", UnaryOp::Tan, false, true, nullptr},
    {"Asin", UnaryOp::Asin, false, true, nullptr},
    {"Acos", UnaryOp::Acos, false, true, nullptr},
    {"Atan", UnaryOp::Atan, false, true, nullptr},
    {"Sinh", UnaryOp::Sinh, false, true, nullptr},
    {"Cosh", UnaryOp::Cosh, false, true, nullptr},
    {"Asinh", UnaryOp::Asinh, false, true, nullptr},
    {"Acosh", UnaryOp::Acosh, false, true, nullptr},
    {"Atanh", UnaryOp::Atanh, false, true, nullptr},
    {"Softplus", UnaryOp::Softplus, false, true, nullptr},
    {"Softsign", UnaryOp::Softsign, false, false, &softsignRow},
    {"Sign", UnaryOp::Sign, true, false, nullptr},
    {"HardSigmoid", UnaryOp::HardSigmoid, false, false, &hardSigmoidRow},
    {"HardSwish", UnaryOp::HardSwish, false, false, &hardSwishRow},
    {"LeakyRelu", UnaryOp::LeakyRelu, false, false, &leakyReluRow},
    {"Elu", UnaryOp::Elu, false, true, &eluRow},
    {"Selu", UnaryOp::Selu, false, true, &seluRow},
    {"Celu", UnaryOp::Celu, false, true, &celuRow},
    {"ThresholdedRelu", UnaryOp::ThresholdedRelu, false, false, &thresholdedReluRow},
    {"Shrink", UnaryOp::Shrink, false, false, nullptr},
    {"Gelu", UnaryOp::Gelu, false, true, &geluRow},
    {"Mish", UnaryOp::Mish, false, true, nullptr},
};

// The tanh form of Gelu is a separate table row reached from Gelu's attribute.
const UnarySpec kGeluTanh = {"Gelu", UnaryOp::GeluTanh, false, true, &geluTanhRow};

template <class T, class F>
void mapRange(const T* in, T* out, int64_t begin, int64_t end, F f) {
    for (int64_t i = begin; i < end; ++i) out[i] = store<T>(f(load(in[i])));
}

// log(1 + e^x) without overflow for large x.
template <class C>
C softplus(C x) {
    return x > C(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

template <class T>
void runFloating(UnaryOp op, const UnaryParams& p, const void* input, void* output, int64_t begin, int64_t end) {
    using C = Compute<T>;
    const auto* in = static_cast<const T*>(input);
    auto* out = static_cast<T*>(output);
    const C alpha = static_cast<C>(p.alpha), beta = static_cast<C>(p.beta), gamma = static_cast<C>(p.gamma);
    const C zero = 0, one = 1;
    auto map = [&](auto f) { mapRange(in, out, begin, end, f); };
    switch (op) {
        case UnaryOp::Relu:
            return map([&](C x) { return x > zero ? x : zero; });
        case UnaryOp::Sigmoid:
            return map([&](C x) { return one / (one + std::exp(-x)); });
        case UnaryOp::Tanh:
            return map([](C x) { return std::tanh(x); });
        case UnaryOp::Erf:
            return map([](C x) { return std::erf(x); });
        case UnaryOp::Sqrt:
            return map([](C x) { return std::sqrt(x); });
        case UnaryOp::Exp:
            return map([](C x) { return std::exp(x); });
        case UnaryOp::Log:
            return map([](C x) { return std::log(x); });
        case UnaryOp::Neg:
            return map([](C x) { return -x; });
        case UnaryOp::Abs:
            return map([](C x) { return std::abs(x); });
        case UnaryOp::Reciprocal:
            return map([&](C x) { return one / x; });
        case UnaryOp::Floor:
            return map([](C x) { return std::floor(x); });
        case UnaryOp::Ceil:
            return map([](C x) { return std::ceil(x); });
        case UnaryOp::Round:
            return map([](C x) { return std::nearbyint(x); });  // half to even
        case UnaryOp::Sin:
            return map([](C x) { return std::sin(x); });
        case UnaryOp::Cos:
            return map([](C x) { return std::cos(x); });
        case UnaryOp::Tan:
            return map([](C x) { return std::tan(x); });
        case UnaryOp::Asin:
            return map([](C x) { return std::asin(x); });
        case UnaryOp::Acos:
            return map([](C x) { return std::acos(x); });
        case UnaryOp::Atan:
            return map([](C x) { return std::atan(x); });
        case UnaryOp::Sinh:
            return map([](C x) { return std::sinh(x); });
        case UnaryOp::Cosh:
            return map([](C x) { return std::cosh(x); });
        case UnaryOp::Asinh:
            return map([](C x) { return std::asinh(x); });
        case UnaryOp::Acosh:
            return map([](C x) { return std::acosh(x); });
        case UnaryOp::Atanh:
            return map([](C x) { return std::atanh(x); });
        case UnaryOp::Softplus:
            return map([](C x) { return softplus(x); });
        case UnaryOp::Softsign:
            return map([&](C x) { return x / (one + std::abs(x)); });
        case UnaryOp::Sign:
            return map([&](C x) { return x > zero ? one : (x < zero ? -one : x); });
        case UnaryOp::HardSigmoid:
            return map([&](C x) { return std::max(zero, std::min(one, alpha * x + beta)); });
        case UnaryOp::HardSwish:
            return map([&](C x) { return x * std::max(zero, std::min(one, x / C(6) + C(0.5))); });
        case UnaryOp::LeakyRelu:
            return map([&](C x) { return x >= zero ? x : alpha * x; });
        case UnaryOp::Elu:
            return map([&](C x) { return x >= zero ? x : alpha * (std::exp(x) - one); });
        case UnaryOp::Selu:
            return map([&](C x) { return x > zero ? gamma * x : gamma * alpha * (std::exp(x) - one); });
        case UnaryOp::Celu:
            return map([&](C x) { return std::max(zero, x) + std::min(zero, alpha * (std::exp(x / alpha) - one)); });
        case UnaryOp::ThresholdedRelu:
            return map([&](C x) { return x > alpha ? x : zero; });
        case UnaryOp::Shrink:  // alpha = lambd, beta = bias
            return map([&](C x) { return x < -alpha ? x + beta : (x > alpha ? x - beta : zero); });
        case UnaryOp::Gelu:
            return map([&](C x) { return C(0.5) * x * (one + std::erf(x * C(0.70710678118654752))); });
        case UnaryOp::GeluTanh:
            return map([&](C x) {
                return C(0.5) * x * (one + std::tanh(C(0.79788456080286536) * (x + C(0.044715) * x * x * x)));
            });
        case UnaryOp::Mish:
            return map([](C x) { return x * std::tanh(softplus(x)); });
    }
}

template <class T>
T wrappingNeg(T x) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(U(0) - static_cast<U>(x));
}

template <class T>
void runInteger(UnaryOp op, const UnaryParams&, const void* input, void* output, int64_t begin, int64_t end) {
    const auto* in = static_cast<const T*>(input);
    auto* out = static_cast<T*>(output);
    auto map = [&](auto f) { mapRange(in, out, begin, end, f); };
    switch (op) {
        case UnaryOp::Relu:
            return map([](T x) { return x > T(0) ? x : T(0); });
        // Wrapping negation (in unsigned arithmetic, no signed overflow), as
        // numpy does for the most negative value.
        case UnaryOp::Neg:
            return map([](T x) { return wrappingNeg(x); });
        case UnaryOp::Abs:
            return map([](T x) { return x < T(0) ? wrappingNeg(x) : x; });
        case UnaryOp::Sign:
            return map([](T x) { return static_cast<T>((x > T(0)) - (x < T(0))); });
        default:
            return;  // refused in prepare
    }
}

using Runner = void (*)(UnaryOp, const UnaryParams&, const void*, void*, int64_t, int64_t);

class UnaryKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        const Node& node = c.node();
        for (const UnarySpec& s : kUnaryOps)
            if (node.opType == s.name) spec_ = &s;
        if (!spec_) return c.unsupportedHere("not a unary op of this kernel");
        if (!c.hasInput(0) || !c.hasOutput(0)) return c.invalidHere("needs one input and one output");
        readParams(node);
        if (spec_->op == UnaryOp::Gelu) {
            const std::string approximate = node.attrString("approximate", "none");
            if (approximate == "tanh")
                spec_ = &kGeluTanh;
            else if (approximate != "none")
                return c.invalidHere("approximate must be 'none' or 'tanh'");
        }
        if (spec_->op == UnaryOp::Celu && params_.alpha == 0.f) return c.invalidHere("alpha must not be 0");

        const DataType dtype = c.inputType(0);
        if (c.output(0).dtype != dtype) return c.invalidHere("output type differs from the input type");
        runner_ = nullptr;
        dispatchType<kFloats>(dtype, [&](auto tag) { runner_ = &runFloating<typename decltype(tag)::type>; });
        if (!runner_ && spec_->integers)
            dispatchType<kInts>(dtype, [&](auto tag) { runner_ = &runInteger<typename decltype(tag)::type>; });
        if (!runner_) return c.unsupportedHere(dtypeRefusal(dtype));
        useVector_ = dtype == DataType::Float && spec_->vecRow != nullptr;
        // float16 / bfloat16 run the float32 row in chunks widened on the
        // stack: the same math (and NaN handling) as float32, no workspace.
        halfType_ = isHalfType(dtype) && spec_->vecRow != nullptr ? dtype : DataType::Undefined;
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& in = c.inputs[0];
        const TensorView& out = c.outputs[0];
        const int64_t n = in.count();
        if (out.count() != n) return {StatusCode::Internal, "unary op: output size differs from the input"};
        const int64_t work = spec_->costly ? n * 8 : n;
        if (useVector_) {
            const auto* src = in.as<const float>();
            auto* dst = out.as<float>();
            const VecRow row = spec_->vecRow;
            const UnaryParams p = params_;
            parallelBlocks(n, work,
                           [&](int64_t b, int64_t e) { row(src + b, dst + b, e - b, p.alpha, p.beta, p.gamma); });
        } else if (halfType_ != DataType::Undefined) {
            const VecRow row = spec_->vecRow;
            const UnaryParams p = params_;
            const DataType type = halfType_;
            const auto* src = static_cast<const uint16_t*>(in.data);
            auto* dst = static_cast<uint16_t*>(out.data);
            parallelBlocks(n, work, [&](int64_t b, int64_t e) {
                constexpr int64_t kChunk = 1024;
                float chunk[kChunk];
                for (int64_t i = b; i < e; i += kChunk) {
                    const int64_t k = std::min(kChunk, e - i);
                    widenRow(type, src + i, chunk, k);
                    row(chunk, chunk, k, p.alpha, p.beta, p.gamma);
                    narrowRow(type, chunk, dst + i, k);
                }
            });
        } else {
            parallelBlocks(n, work,
                           [&](int64_t b, int64_t e) { runner_(spec_->op, params_, in.data, out.data, b, e); });
        }
        return Status::ok();
    }

private:
    void readParams(const Node& node) {
        switch (spec_->op) {
            case UnaryOp::LeakyRelu:
                params_.alpha = node.attrFloat("alpha", 0.01f);
                break;
            case UnaryOp::Elu:
            case UnaryOp::Celu:
            case UnaryOp::ThresholdedRelu:
                params_.alpha = node.attrFloat("alpha", 1.f);
                break;
            case UnaryOp::Selu:
                params_.alpha = node.attrFloat("alpha", 1.67326319217681884765625f);
                params_.gamma = node.attrFloat("gamma", 1.05070102214813232421875f);
                break;
            case UnaryOp::HardSigmoid:
                params_.alpha = node.attrFloat("alpha", 0.2f);
                params_.beta = node.attrFloat("beta", 0.5f);
                break;
            case UnaryOp::Shrink:
                params_.alpha = node.attrFloat("lambd", 0.5f);
                params_.beta = node.attrFloat("bias", 0.f);
                break;
            default:
                break;
        }
    }

    const UnarySpec* spec_ = nullptr;
    UnaryParams params_;
    Runner runner_ = nullptr;
    bool useVector_ = false;
    DataType halfType_ = DataType::Undefined;  // float16 / bfloat16 through the float row
};

}  // namespace

std::unique_ptr<Kernel> makeUnaryKernel() { return std::make_unique<UnaryKernel>(); }

}  // namespace interstage::cpu::ew
