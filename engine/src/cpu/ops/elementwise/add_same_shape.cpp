#include "cpu/ops/elementwise/add_same_shape.h"

#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/elementwise/vec_math.h"

namespace interstage::cpu::ew {

namespace {

// relu: max(a + b, 0) as std::max does it (NaN stays NaN).
EW_VECTOR_CLONES void addRun(const float* a, const float* b, float* out, int64_t n, bool relu) {
    int64_t i = 0;
    const VecF zero{};
    for (; i + kLanes <= n; i += kLanes) {
        VecF v = loadVec(a + i) + loadVec(b + i);
        if (relu) v = v < zero ? zero : v;
        storeVec(out + i, v);
    }
    for (; i < n; ++i) {
        const float v = a[i] + b[i];
        out[i] = relu && v < 0.f ? 0.f : v;
    }
}

}  // namespace

bool addSameShapeTakes(const Activation& activation) {
    return activation.kind == Activation::Kind::None || activation.kind == Activation::Kind::Relu;
}

void addSameShape(const float* a, const float* b, float* out, int64_t n, const Activation& activation) {
    const bool relu = activation.kind == Activation::Kind::Relu;
    parallelBlocks(n, n,
                   [&](int64_t begin, int64_t end) { addRun(a + begin, b + begin, out + begin, end - begin, relu); });
}

}  // namespace interstage::cpu::ew
