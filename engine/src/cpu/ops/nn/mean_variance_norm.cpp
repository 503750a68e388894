// MeanVarianceNormalization: Y = (X - mean) / (std + 1e-9), mean and std
// over the `axes` (default N, H, W), one group per combination of the other
// axes' indices. The 1e-9 comes from the op's ONNX function definition.
#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu/ops/nn/nn_kernels.h"
#include "cpu/parallel.h"

namespace interstage::cpu::nn {

namespace {

constexpr double kEpsilon = 1e-9;

class MeanVarianceNormalizationKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() != 1 || !context.hasInput(0)) return context.invalidHere("needs one input X");
        dtype_ = context.inputType(0);
        if (dtype_ != DataType::Float && dtype_ != DataType::Double)
            return context.unsupportedHere(std::string("input is ") + dataTypeName(dtype_) +
                                           "; only float32 and float64 are supported");
        shape_ = context.inputShape(0);
        const auto rank = static_cast<int64_t>(shape_.size());
        std::vector<int64_t> axes =
            context.node().hasAttr("axes") ? context.node().attrInts("axes") : std::vector<int64_t>{0, 2, 3};
        std::vector<bool> reduced(shape_.size(), false);
        for (int64_t axis : axes) {
            if (axis < -rank || axis >= rank)
                return context.invalidHere("axis " + std::to_string(axis) + " is out of range for rank " +
                                           std::to_string(rank));
            reduced[static_cast<size_t>(axis < 0 ? axis + rank : axis)] = true;
        }
        // The trailing axes that are all reduced (or all kept) form runs of
        // contiguous elements: one group for the whole run (or consecutive
        // groups), so the inner loops are plain and vectorize.
        size_t firstRunAxis = shape_.size();
        runReduced_ = !shape_.empty() && reduced.back();
        runLength_ = 1;
        while (firstRunAxis > 0 && reduced[firstRunAxis - 1] == runReduced_) runLength_ *= shape_[--firstRunAxis];
        // groupStride_[k]: how far the group index moves per step on axis k
        // (0 on a reduced axis).
        groupStride_.assign(shape_.size(), 0);
        groups_ = 1;
        for (size_t k = shape_.size(); k-- > 0;) {
            if (reduced[k]) continue;
            groupStride_[k] = groups_;
            groups_ *= shape_[k];
        }
        runShape_.assign(shape_.begin(), shape_.begin() + static_cast<int64_t>(firstRunAxis));
        count_ = elementCount(shape_).value_or(0);
        return Status::ok();
    }

    std::size_t workspaceBytes() const override { return static_cast<std::size_t>(2 * groups_) * sizeof(double); }

    Status run(RunContext& context) override {
        if (dtype_ == DataType::Double)
            normalize(context.inputs[0].as<const double>(), context.outputs[0].as<double>(), context.workspace);
        else
            normalize(context.inputs[0].as<const float>(), context.outputs[0].as<float>(), context.workspace);
        return Status::ok();
    }

private:
    // The group of the first element of run r.
    int64_t groupOfRun(int64_t r) const {
        int64_t group = 0;
        for (size_t k = runShape_.size(); k-- > 0;) {
            group += (r % runShape_[k]) * groupStride_[k];
            r /= runShape_[k];
        }
        return group;
    }

    template <class T>
    void normalize(const T* x, T* y, void* workspace) const {
        double* mean = static_cast<double*>(workspace);
        double* scale = mean + groups_;
        std::fill(mean, mean + 2 * groups_, 0.0);
        const double perGroup = groups_ > 0 ? static_cast<double>(count_) / static_cast<double>(groups_) : 1.0;
        const int64_t runs = runLength_ > 0 ? count_ / runLength_ : 0, length = runLength_;
        // Two passes (mean, then squared deviations) rather than E[x^2] -
        // E[x]^2, which cancels badly when the mean is large. Serial: runs
        // of different indices add into the same groups.
        for (int64_t r = 0; r < runs; ++r) {
            const T* src = x + r * length;
            const int64_t g = groupOfRun(r);
            if (runReduced_) {
                double sum = 0;
                for (int64_t j = 0; j < length; ++j) sum += static_cast<double>(src[j]);
                mean[g] += sum;
            } else {
                for (int64_t j = 0; j < length; ++j) mean[g + j] += static_cast<double>(src[j]);
            }
        }
        for (int64_t g = 0; g < groups_; ++g) mean[g] /= perGroup;
        for (int64_t r = 0; r < runs; ++r) {
            const T* src = x + r * length;
            const int64_t g = groupOfRun(r);
            if (runReduced_) {
                const double m = mean[g];
                double sum = 0;
                for (int64_t j = 0; j < length; ++j)
                    sum += (static_cast<double>(src[j]) - m) * (static_cast<double>(src[j]) - m);
                scale[g] += sum;
            } else {
                for (int64_t j = 0; j < length; ++j) {
                    const double d = static_cast<double>(src[j]) - mean[g + j];
                    scale[g + j] += d * d;
                }
            }
        }
        for (int64_t g = 0; g < groups_; ++g) scale[g] = 1.0 / (std::sqrt(scale[g] / perGroup) + kEpsilon);
#pragma omp parallel for schedule(static) if (count_ > kParallelWork)
        for (int64_t r = 0; r < runs; ++r) {
            const T* src = x + r * length;
            T* dst = y + r * length;
            const int64_t g = groupOfRun(r);
            if (runReduced_) {
                const double m = mean[g], sc = scale[g];
                for (int64_t j = 0; j < length; ++j) dst[j] = static_cast<T>((static_cast<double>(src[j]) - m) * sc);
            } else {
                for (int64_t j = 0; j < length; ++j)
                    dst[j] = static_cast<T>((static_cast<double>(src[j]) - mean[g + j]) * scale[g + j]);
            }
        }
    }

    DataType dtype_ = DataType::Undefined;
    Shape shape_;
    std::vector<int64_t> groupStride_;
    Shape runShape_;  // the axes before the runs
    int64_t runLength_ = 1;
    bool runReduced_ = false;
    int64_t groups_ = 1, count_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeMeanVarianceNormalizationKernel() {
    return std::make_unique<MeanVarianceNormalizationKernel>();
}

}  // namespace interstage::cpu::nn
