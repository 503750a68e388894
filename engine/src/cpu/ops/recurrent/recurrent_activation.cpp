#include "cpu/ops/recurrent/recurrent_activation.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "cpu/ops/elementwise/vec_math.h"

namespace interstage::cpu::recurrent {

namespace {

using Kind = NamedActivation::Kind;

struct KnownFunction {
    const char* name;
    Kind kind;
    int parameters;  // how many of alpha, beta it takes
    float alpha, beta;
};

// Defaults as the ONNX operators of the same name define them (Affine and
// ScaledTanh have no operator: identity scale, as ONNX Runtime takes them).
constexpr KnownFunction kFunctions[] = {
    {"relu", Kind::Relu, 0, 0.f, 0.f},
    {"tanh", Kind::Tanh, 0, 0.f, 0.f},
    {"sigmoid", Kind::Sigmoid, 0, 0.f, 0.f},
    {"affine", Kind::Affine, 2, 1.f, 0.f},
    {"leakyrelu", Kind::LeakyRelu, 1, 0.01f, 0.f},
    {"thresholdedrelu", Kind::ThresholdedRelu, 1, 1.f, 0.f},
    {"scaledtanh", Kind::ScaledTanh, 2, 1.f, 1.f},
    {"hardsigmoid", Kind::HardSigmoid, 2, 0.2f, 0.5f},
    {"elu", Kind::Elu, 1, 1.f, 0.f},
    {"softsign", Kind::Softsign, 0, 0.f, 0.f},
    {"softplus", Kind::Softplus, 0, 0.f, 0.f},
};

const KnownFunction* findFunction(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    for (const KnownFunction& f : kFunctions)
        if (name == f.name) return &f;
    return nullptr;
}

float activateOne(const NamedActivation& f, float x) {
    switch (f.kind) {
        case Kind::Relu:
            return std::max(x, 0.f);
        case Kind::Tanh:
            return std::tanh(x);
        case Kind::Sigmoid:
            return 1.f / (1.f + std::exp(-x));
        case Kind::Affine:
            return f.alpha * x + f.beta;
        case Kind::LeakyRelu:
            return x >= 0.f ? x : f.alpha * x;
        case Kind::ThresholdedRelu:
            return x > f.alpha ? x : 0.f;
        case Kind::ScaledTanh:
            return f.alpha * std::tanh(f.beta * x);
        case Kind::HardSigmoid:
            return std::clamp(f.alpha * x + f.beta, 0.f, 1.f);
        case Kind::Elu:
            return x >= 0.f ? x : f.alpha * (std::exp(x) - 1.f);
        case Kind::Softsign:
            return x / (1.f + std::abs(x));
        case Kind::Softplus:
            return std::log1p(std::exp(x));
    }
    return x;
}

// Sigmoid and Tanh are every LSTM's and GRU's gates: vectorized, the tail
// through a zero-padded vector so that every element takes the same path.
template <bool Sigmoid>
EW_INLINE void squashVector(float clip, const float* in, float* out) {
    using namespace ew;
    const VecF c = vmin(vmax(loadVec(in), splat(-clip)), splat(clip));
    storeVec(out, Sigmoid ? vsigmoid(c) : vtanh(c));
}

template <bool Sigmoid>
EW_VECTOR_CLONES void squashRow(float clip, const float* in, float* out, int64_t n) {
    int64_t i = 0;
    for (; i + ew::kLanes <= n; i += ew::kLanes) squashVector<Sigmoid>(clip, in + i, out + i);
    if (i == n) return;
    float tail[ew::kLanes] = {};
    std::copy(in + i, in + n, tail);
    squashVector<Sigmoid>(clip, tail, tail);
    std::copy(tail, tail + (n - i), out + i);
}

}  // namespace

bool readActivations(const Node& node, const std::vector<std::string>& defaults, int64_t directions,
                     std::vector<NamedActivation>& out, std::string& error) {
    std::vector<std::string> names = defaults;
    if (const Attribute* given = node.attr("activations"); given && !given->strings.empty()) names = given->strings;
    const size_t perDirection = defaults.size();
    const size_t wanted = perDirection * static_cast<size_t>(directions);
    if (names.size() == perDirection && directions == 2) {
        const std::vector<std::string> once = names;
        names.insert(names.end(), once.begin(), once.end());
    }
    if (names.size() != wanted) {
        error = "attribute 'activations' lists " + std::to_string(names.size()) + " functions; the op takes " +
                std::to_string(wanted);
        return false;
    }
    const std::vector<float> alphas = node.attrFloats("activation_alpha");
    const std::vector<float> betas = node.attrFloats("activation_beta");
    size_t nextAlpha = 0, nextBeta = 0;
    out.clear();
    for (const std::string& name : names) {
        const KnownFunction* known = findFunction(name);
        if (!known) {
            error = "activation '" + name + "' is not one the recurrent ops define";
            return false;
        }
        NamedActivation f{known->kind, known->alpha, known->beta};
        if (known->parameters >= 1 && nextAlpha < alphas.size()) f.alpha = alphas[nextAlpha++];
        if (known->parameters >= 2 && nextBeta < betas.size()) f.beta = betas[nextBeta++];
        out.push_back(f);
    }
    return true;
}

void activateRow(const NamedActivation& f, float clip, const float* in, float* out, int64_t n) {
    if (f.kind == Kind::Sigmoid) return squashRow<true>(clip, in, out, n);
    if (f.kind == Kind::Tanh) return squashRow<false>(clip, in, out, n);
    for (int64_t i = 0; i < n; ++i) out[i] = activateOne(f, std::clamp(in[i], -clip, clip));
}

}  // namespace interstage::cpu::recurrent
