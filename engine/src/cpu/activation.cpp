#include "cpu/activation.h"

#include <algorithm>
#include <cmath>

#include "cpu/parallel.h"

namespace interstage::cpu {

Activation fusedActivation(const Node& node) {
    Activation a;
    const std::string kind = node.attrString("_fused_activation", "");
    if (kind.empty()) return a;
    a.alpha = node.attrFloat("_fused_alpha", 0.f);
    a.beta = node.attrFloat("_fused_beta", 0.f);
    if (kind == "Relu")
        a.kind = Activation::Kind::Relu;
    else if (kind == "Clip")
        a.kind = Activation::Kind::Clip;
    else if (kind == "Sigmoid")
        a.kind = Activation::Kind::Sigmoid;
    else if (kind == "HardSigmoid")
        a.kind = Activation::Kind::HardSigmoid;
    else if (kind == "HardSwish")
        a.kind = Activation::Kind::HardSwish;
    else if (kind == "LeakyRelu")
        a.kind = Activation::Kind::LeakyRelu;
    else if (kind == "Gelu")
        a.kind = Activation::Kind::GeluErf;
    else if (kind == "GeluTanh")
        a.kind = Activation::Kind::GeluTanh;
    return a;
}

float activate(const Activation& a, float x) {
    switch (a.kind) {
        case Activation::Kind::None:
            return x;
        case Activation::Kind::Relu:
            return x > 0 ? x : 0;
        case Activation::Kind::Clip:
            return std::min(std::max(x, a.alpha), a.beta);
        case Activation::Kind::Sigmoid:
            return 1.f / (1.f + std::exp(-x));
        case Activation::Kind::HardSigmoid:
            return std::min(1.f, std::max(0.f, a.alpha * x + a.beta));
        case Activation::Kind::HardSwish:
            return x * std::min(1.f, std::max(0.f, x / 6.f + 0.5f));
        case Activation::Kind::LeakyRelu:
            return x >= 0 ? x : a.alpha * x;
        case Activation::Kind::GeluErf:
            return 0.5f * x * (1.f + std::erf(x * 0.70710678f));
        case Activation::Kind::GeluTanh:
            return 0.5f * x * (1.f + std::tanh(0.79788456f * (x + 0.044715f * x * x * x)));
    }
    return x;
}

void applyActivation(const Activation& a, float* data, int64_t n) {
    if (!a.active()) return;
    // Chunks of whole cache lines, one vectorized row each.
    constexpr int64_t kChunk = 4096;
    const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (n > kParallelWork)
    for (int64_t c = 0; c < chunks; ++c) activateRow(a, data + c * kChunk, std::min(kChunk, n - c * kChunk));
}

}  // namespace interstage::cpu
