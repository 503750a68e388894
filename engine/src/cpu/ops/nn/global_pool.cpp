// GlobalAveragePool and GlobalMaxPool: one value per (N, C) plane.
#include <algorithm>
#include <limits>

#include "cpu/ops/nn/nn_kernels.h"

namespace interstage::cpu::nn {

namespace {

template <class T, bool Average>
void globalPool(const T* x, T* y, int64_t planes, int64_t planeSize) {
#pragma omp parallel for schedule(static) if (planes * planeSize > 65536)
    for (int64_t p = 0; p < planes; ++p) {
        const T* src = x + p * planeSize;
        if constexpr (Average) {
            // Four partial sums: vectorizes, and rounds better than one chain.
            T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int64_t i = 0;
            for (; i + 4 <= planeSize; i += 4) s0 += src[i], s1 += src[i + 1], s2 += src[i + 2], s3 += src[i + 3];
            for (; i < planeSize; ++i) s0 += src[i];
            y[p] = planeSize > 0 ? ((s0 + s1) + (s2 + s3)) / static_cast<T>(planeSize) : T(0);
        } else {
            T best = planeSize > 0 ? src[0] : std::numeric_limits<T>::lowest();
            for (int64_t i = 1; i < planeSize; ++i) best = std::max(best, src[i]);
            y[p] = best;
        }
    }
}

template <bool Average>
class GlobalPoolKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0)) return context.invalidHere("needs input X");
        dtype_ = context.inputType(0);
        if (dtype_ != DataType::Float && dtype_ != DataType::Double)
            return context.unsupportedHere(std::string("input is ") + dataTypeName(dtype_) +
                                           "; float32 and float64 are supported");
        const Shape& x = context.inputShape(0);
        if (x.size() < 2) return context.invalidHere("input must have rank >= 2, not " + shapeToString(x));
        planes_ = x[0] * x[1];
        planeSize_ = 1;
        for (size_t i = 2; i < x.size(); ++i) planeSize_ *= x[i];
        return Status::ok();
    }

    Status run(RunContext& context) override {
        if (dtype_ == DataType::Float)
            globalPool<float, Average>(context.inputs[0].as<const float>(), context.outputs[0].as<float>(), planes_,
                                       planeSize_);
        else
            globalPool<double, Average>(context.inputs[0].as<const double>(), context.outputs[0].as<double>(),
                                        planes_, planeSize_);
        return Status::ok();
    }

private:
    DataType dtype_ = DataType::Float;
    int64_t planes_ = 0, planeSize_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeGlobalAveragePoolKernel() { return std::make_unique<GlobalPoolKernel<true>>(); }
std::unique_ptr<Kernel> makeGlobalMaxPoolKernel() { return std::make_unique<GlobalPoolKernel<false>>(); }

}  // namespace interstage::cpu::nn
