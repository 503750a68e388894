// cpu::activateRow (cpu/activation.h): the activations layer fusion folds
// into a producing op (Add, the convolutions computed outside oneDNN, a
// channel affine), applied to each run of the output while it is still in
// cache, with the same vectorized rows as the standalone activation kernels.
#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/elementwise/vec_math.h"

namespace interstage::cpu::ew {

namespace {

// (clang-format reads "alpha * x" in macro arguments as a declaration)
// clang-format off
EW_DEFINE_VEC_MAP(fusedRelu, vmax(x, VecF{}))
EW_DEFINE_VEC_MAP(fusedClip, vmin(vmax(x, splat(alpha)), splat(beta)))
EW_DEFINE_VEC_MAP(fusedSigmoid, vsigmoid(x))
EW_DEFINE_VEC_MAP(fusedHardSigmoid, vmax(VecF{}, vmin(splat(1.f), alpha * x + beta)))
EW_DEFINE_VEC_MAP(fusedHardSwish, x * vmax(VecF{}, vmin(splat(1.f), x * (1.f / 6.f) + 0.5f)))
EW_DEFINE_VEC_MAP(fusedLeakyRelu, x >= 0.f ? x : alpha * x)
// clang-format on

}  // namespace

}  // namespace interstage::cpu::ew

namespace interstage::cpu {

void activateRow(const Activation& a, float* data, int64_t n) {
    using namespace ew;
    switch (a.kind) {
        case Activation::Kind::None:
            return;
        case Activation::Kind::Relu:
            return fusedRelu(data, data, n, 0.f, 0.f, 0.f);
        case Activation::Kind::Clip:
            return fusedClip(data, data, n, a.alpha, a.beta, 0.f);
        case Activation::Kind::Sigmoid:
            return fusedSigmoid(data, data, n, 0.f, 0.f, 0.f);
        case Activation::Kind::HardSigmoid:
            return fusedHardSigmoid(data, data, n, a.alpha, a.beta, 0.f);
        case Activation::Kind::HardSwish:
            return fusedHardSwish(data, data, n, 0.f, 0.f, 0.f);
        case Activation::Kind::LeakyRelu:
            return fusedLeakyRelu(data, data, n, a.alpha, 0.f, 0.f);
        case Activation::Kind::GeluErf:  // fused into MatMul only, applied by oneDNN there
        case Activation::Kind::GeluTanh:
            for (int64_t i = 0; i < n; ++i) data[i] = activate(a, data[i]);
            return;
    }
}

}  // namespace interstage::cpu
