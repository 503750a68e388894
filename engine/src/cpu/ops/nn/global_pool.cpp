// GlobalAveragePool and GlobalMaxPool: one value per (N, C) plane, from NCHW
// or channel-blocked input.
#include <algorithm>
#include <limits>

#include "cpu/half_rows.h"
#include "cpu/ops/nn/nn_kernels.h"
#include "cpu/parallel.h"

namespace interstage::cpu::nn {

namespace {

template <class T, bool Average>
void globalPool(const T* x, T* y, int64_t planes, int64_t planeSize) {
#pragma omp parallel for schedule(static) if (planes * planeSize > kParallelWork)
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

// float16 / bfloat16: each plane widened in stack chunks and reduced in
// float (sums as globalPool's), one narrowed value written per plane.
template <bool Average>
void globalPoolHalf(DataType type, const uint16_t* x, uint16_t* y, int64_t planes, int64_t planeSize) {
#pragma omp parallel for schedule(static) if (planes * planeSize > kParallelWork)
    for (int64_t p = 0; p < planes; ++p) {
        constexpr int64_t kChunk = 1024;
        float chunk[kChunk];
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        float best = std::numeric_limits<float>::lowest();
        for (int64_t begin = 0; begin < planeSize; begin += kChunk) {
            const int64_t n = std::min(kChunk, planeSize - begin);
            widenRow(type, x + p * planeSize + begin, chunk, n);
            if (begin == 0) best = chunk[0];
            int64_t i = 0;
            if constexpr (Average) {
                for (; i + 4 <= n; i += 4) s0 += chunk[i], s1 += chunk[i + 1], s2 += chunk[i + 2], s3 += chunk[i + 3];
                for (; i < n; ++i) s0 += chunk[i];
            } else {
                for (; i < n; ++i) best = std::max(best, chunk[i]);
            }
        }
        float value = best;
        if constexpr (Average) value = planeSize > 0 ? ((s0 + s1) + (s2 + s3)) / static_cast<float>(planeSize) : 0.f;
        narrowRow(type, &value, y + p, 1);
    }
}

// The same over channels blocked innermost (Value::channelBlock): lane k of
// block b is channel b * block + k. Per lane the sums run in the same order
// as globalPool's, so both layouts give the same bits.
template <bool Average>
void globalPoolBlocked(const float* x, float* y, int64_t images, int64_t channels, int64_t planeSize, int block) {
    const int64_t blocks = images * (channels / block);
#pragma omp parallel for schedule(static) if (blocks * planeSize * block > kParallelWork)
    for (int64_t b = 0; b < blocks; ++b) {
        const float* src = x + b * planeSize * block;
        float* dst = y + b * block;
        for (int k = 0; k < block; ++k) {
            if constexpr (Average) {
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int64_t i = 0;
                for (; i + 4 <= planeSize; i += 4)
                    s0 += src[i * block + k], s1 += src[(i + 1) * block + k], s2 += src[(i + 2) * block + k],
                        s3 += src[(i + 3) * block + k];
                for (; i < planeSize; ++i) s0 += src[i * block + k];
                dst[k] = planeSize > 0 ? ((s0 + s1) + (s2 + s3)) / static_cast<float>(planeSize) : 0.f;
            } else {
                float best = planeSize > 0 ? src[k] : std::numeric_limits<float>::lowest();
                for (int64_t i = 1; i < planeSize; ++i) best = std::max(best, src[i * block + k]);
                dst[k] = best;
            }
        }
    }
}

template <bool Average>
class GlobalPoolKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0)) return context.invalidHere("needs input X");
        dtype_ = context.inputType(0);
        if (dtype_ != DataType::Float && dtype_ != DataType::Double && !isHalfType(dtype_))
            return context.unsupportedHere(std::string("input is ") + dataTypeName(dtype_) +
                                           "; float32, float64, float16 and bfloat16 are supported");
        const Shape& x = context.inputShape(0);
        if (x.size() < 2) return context.invalidHere("input must have rank >= 2, not " + shapeToString(x));
        block_ = context.input(0).channelBlock;
        if (block_ && (dtype_ != DataType::Float || x.size() != 4 || x[1] % block_ != 0))
            return context.invalidHere("a channel-blocked input must be a 4-D float32 tensor of whole blocks");
        images_ = x[0];
        channels_ = x[1];
        planes_ = x[0] * x[1];
        planeSize_ = 1;
        for (size_t i = 2; i < x.size(); ++i) planeSize_ *= x[i];
        return Status::ok();
    }

    Status run(RunContext& context) override {
        if (block_)
            globalPoolBlocked<Average>(context.inputs[0].as<const float>(), context.outputs[0].as<float>(), images_,
                                       channels_, planeSize_, block_);
        else if (isHalfType(dtype_))
            globalPoolHalf<Average>(dtype_, context.inputs[0].as<const uint16_t>(), context.outputs[0].as<uint16_t>(),
                                    planes_, planeSize_);
        else if (dtype_ == DataType::Float)
            globalPool<float, Average>(context.inputs[0].as<const float>(), context.outputs[0].as<float>(), planes_,
                                       planeSize_);
        else
            globalPool<double, Average>(context.inputs[0].as<const double>(), context.outputs[0].as<double>(), planes_,
                                        planeSize_);
        return Status::ok();
    }

private:
    DataType dtype_ = DataType::Float;
    int64_t planes_ = 0, planeSize_ = 0, images_ = 0, channels_ = 0;
    int block_ = 0;  // the input's channel block (0: NCHW)
};

}  // namespace

std::unique_ptr<Kernel> makeGlobalAveragePoolKernel() { return std::make_unique<GlobalPoolKernel<true>>(); }
std::unique_ptr<Kernel> makeGlobalMaxPoolKernel() { return std::make_unique<GlobalPoolKernel<false>>(); }

}  // namespace interstage::cpu::nn
