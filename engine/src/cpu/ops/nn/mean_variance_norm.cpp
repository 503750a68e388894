// MeanVarianceNormalization: Y = (X - mean) / (std + 1e-9), mean and std
// over the `axes` (default N, H, W), one group per combination of the other
// axes' indices. The 1e-9 comes from the op's ONNX function definition.
#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu/ops/nn/nn_kernels.h"

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
        // groupStride_[k]: how far the group index moves per step on axis k
        // (0 on a reduced axis).
        groupStride_.assign(shape_.size(), 0);
        groups_ = 1;
        for (size_t k = shape_.size(); k-- > 0;) {
            if (reduced[k]) continue;
            groupStride_[k] = groups_;
            groups_ *= shape_[k];
        }
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
    // Calls visit(element, group) for every element in memory order.
    template <class Visit>
    void forEachElement(Visit visit) const {
        std::vector<int64_t> index(shape_.size(), 0);
        int64_t group = 0;
        for (int64_t i = 0; i < count_; ++i) {
            visit(i, group);
            for (size_t k = shape_.size(); k-- > 0;) {
                group += groupStride_[k];
                if (++index[k] < shape_[k]) break;
                group -= groupStride_[k] * shape_[k];
                index[k] = 0;
            }
        }
    }

    template <class T>
    void normalize(const T* x, T* y, void* workspace) const {
        double* mean = static_cast<double*>(workspace);
        double* scale = mean + groups_;
        std::fill(mean, mean + 2 * groups_, 0.0);
        const double perGroup = groups_ > 0 ? static_cast<double>(count_) / static_cast<double>(groups_) : 1.0;
        // Two passes (mean, then squared deviations) rather than E[x^2] -
        // E[x]^2, which cancels badly when the mean is large.
        forEachElement([&](int64_t i, int64_t g) { mean[g] += static_cast<double>(x[i]); });
        for (int64_t g = 0; g < groups_; ++g) mean[g] /= perGroup;
        forEachElement([&](int64_t i, int64_t g) {
            const double d = static_cast<double>(x[i]) - mean[g];
            scale[g] += d * d;
        });
        for (int64_t g = 0; g < groups_; ++g) scale[g] = 1.0 / (std::sqrt(scale[g] / perGroup) + kEpsilon);
        forEachElement(
            [&](int64_t i, int64_t g) { y[i] = static_cast<T>((static_cast<double>(x[i]) - mean[g]) * scale[g]); });
    }

    DataType dtype_ = DataType::Undefined;
    Shape shape_;
    std::vector<int64_t> groupStride_;
    int64_t groups_ = 1, count_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeMeanVarianceNormalizationKernel() {
    return std::make_unique<MeanVarianceNormalizationKernel>();
}

}  // namespace interstage::cpu::nn
