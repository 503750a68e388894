// RandomUniform and RandomNormal (shape from the attribute) and their
// *Like forms (shape of the input): uniform in [low, high) or normal with
// mean and scale, in float16, float, double or bfloat16.
#include <cmath>
#include <optional>
#include <string>

#include "cpu/ops/random/random_kernels.h"
#include "cpu/ops/random/random_stream.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::random {

namespace {

class RandomFillKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        const Node& node = context.node();
        normal_ = node.opType == "RandomNormal" || node.opType == "RandomNormalLike";
        if (context.outputCount() != 1) return context.invalidHere("needs one output");
        dtype_ = context.output(0).dtype;
        if (!isFloatingType(dtype_))
            return context.unsupportedHere(std::string("random values of ") + dataTypeName(dtype_) +
                                           " are not supported");
        if (normal_) {
            a_ = node.attrFloat("mean", 0.0f);
            b_ = node.attrFloat("scale", 1.0f);
        } else {
            a_ = node.attrFloat("low", 0.0f);
            b_ = node.attrFloat("high", 1.0f);
            if (!(a_ <= b_)) return context.invalidHere("attribute 'low' is above 'high'");
        }
        stream_.emplace(node);
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& out = context.outputs[0];
        stream_->beginRun();
        const int64_t n = out.count();
        if (dtype_ == DataType::Float) {
            auto* y = out.as<float>();
            for (int64_t i = 0; i < n; ++i)
                y[i] = normal_ ? static_cast<float>(a_ + b_ * stream_->normal()) : uniformFloat();
        } else if (dtype_ == DataType::Double) {
            auto* y = out.as<double>();
            for (int64_t i = 0; i < n; ++i)
                y[i] = normal_ ? a_ + b_ * stream_->normal() : a_ + (b_ - a_) * stream_->uniform();
        } else {
            const std::size_t es = dataTypeSize(dtype_);
            for (int64_t i = 0; i < n; ++i) {
                const double v = normal_ ? a_ + b_ * stream_->normal() : a_ + (b_ - a_) * stream_->uniform();
                tensor::storeNumber(dtype_, v, out.as<char>() + i * static_cast<int64_t>(es));
            }
        }
        return Status::ok();
    }

private:
    // Uniform in [low, high) in float: rounding may reach high, which the
    // half-open range excludes.
    float uniformFloat() {
        const auto v = static_cast<float>(a_ + (b_ - a_) * stream_->uniform());
        const auto high = static_cast<float>(b_);
        return v < high || a_ == b_ ? v : std::nextafter(high, static_cast<float>(a_));
    }

    bool normal_ = false;
    DataType dtype_ = DataType::Float;
    double a_ = 0, b_ = 1;  // low / high, or mean / scale
    std::optional<RandomStream> stream_;
};

}  // namespace

std::unique_ptr<Kernel> makeRandomFillKernel() { return std::make_unique<RandomFillKernel>(); }

}  // namespace interstage::cpu::random
