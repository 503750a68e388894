// NegativeLogLikelihoodLoss: loss[n, d] = -weight[t] * input[n, t, d] with
// t = target[n, d]; targets equal to ignore_index add nothing, not even to
// the mean's denominator (the sum of the weights actually taken).
#include "cpu/ops/nn/nll_loss.h"

#include "cpu/ops/nn/nn_kernels.h"

namespace interstage::cpu::nn {

namespace {

bool isLossType(DataType type) { return type == DataType::Float || type == DataType::Double; }

int64_t targetAt(const TensorView& target, int64_t i) {
    return target.dtype == DataType::Int32 ? target.as<const int32_t>()[i] : target.as<const int64_t>()[i];
}

template <class T>
Status nllLoss(const LossSetup& s, const T* logProb, const TensorView& target, const T* weight, T* loss) {
    const int64_t positions = s.batch * s.spatial;
    // Sums in double: a float mean over many positions drifts otherwise.
    double total = 0, weightTotal = 0;
    for (int64_t p = 0; p < positions; ++p) {
        const int64_t t = targetAt(target, p);
        double term = 0, w = 0;
        if (!(s.ignores && t == s.ignoreIndex)) {
            if (t < 0 || t >= s.classes)
                return invalidArgument(
                    "target " + std::to_string(t) + " at position " + std::to_string(p) + " is outside [0, " +
                    std::to_string(s.classes) + ")" +
                    (s.ignores ? " and is not ignore_index " + std::to_string(s.ignoreIndex) : std::string()));
            const int64_t n = p / s.spatial, d = p % s.spatial;
            w = s.weighted ? static_cast<double>(weight[t]) : 1.0;
            term = -w * static_cast<double>(logProb[(n * s.classes + t) * s.spatial + d]);
        }
        if (s.reduction == LossReduction::None) loss[p] = static_cast<T>(term);
        total += term;
        weightTotal += w;
    }
    // A mean over nothing (every target ignored) is 0 / 0, as in ONNX's reference.
    if (s.reduction == LossReduction::Sum) loss[0] = static_cast<T>(total);
    if (s.reduction == LossReduction::Mean) loss[0] = static_cast<T>(total / weightTotal);
    return Status::ok();
}

class NllLossKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override { return prepareLoss(context, setup_); }

    Status run(RunContext& context) override {
        const void* weight = context.hasInput(2) ? context.inputs[2].data : nullptr;
        return computeNllLoss(setup_, context.inputs[0].data, context.inputs[1], weight, context.outputs[0].data);
    }

private:
    LossSetup setup_;
};

}  // namespace

Status prepareLoss(const PrepareContext& context, LossSetup& setup) {
    if (context.inputCount() < 2 || !context.hasInput(0) || !context.hasInput(1))
        return context.invalidHere("needs the scores and target inputs");
    setup.dtype = context.inputType(0);
    if (!isLossType(setup.dtype))
        return context.unsupportedHere(std::string("scores are ") + dataTypeName(setup.dtype) +
                                       "; only float32 and float64 are supported");
    const DataType targetType = context.inputType(1);
    if (targetType != DataType::Int32 && targetType != DataType::Int64)
        return context.invalidHere(std::string("target must be int32 or int64, not ") + dataTypeName(targetType));
    const Shape& x = context.inputShape(0);
    const Shape& target = context.inputShape(1);
    if (x.size() < 2) return context.invalidHere("scores must have rank >= 2 (N x C x ...), not " + shapeToString(x));
    Shape expected = x;
    expected.erase(expected.begin() + 1);
    if (target != expected)
        return context.invalidHere("target " + shapeToString(target) + " does not match scores " + shapeToString(x) +
                                   " without the class axis (" + shapeToString(expected) + ")");
    setup.batch = x[0];
    setup.classes = x[1];
    setup.spatial = 1;
    for (size_t i = 2; i < x.size(); ++i) setup.spatial *= x[i];
    setup.weighted = context.inputCount() > 2 && context.hasInput(2);
    if (setup.weighted) {
        if (context.inputType(2) != setup.dtype)
            return context.invalidHere(std::string("weights are ") + dataTypeName(context.inputType(2)) +
                                       ", not the scores' " + dataTypeName(setup.dtype));
        if (context.inputShape(2) != Shape{setup.classes})
            return context.invalidHere("weights " + shapeToString(context.inputShape(2)) + " must hold one value per " +
                                       std::to_string(setup.classes) + " classes");
    }
    const std::string reduction = context.node().attrString("reduction", "mean");
    if (reduction == "none")
        setup.reduction = LossReduction::None;
    else if (reduction == "sum")
        setup.reduction = LossReduction::Sum;
    else if (reduction == "mean")
        setup.reduction = LossReduction::Mean;
    else
        return context.invalidHere("reduction '" + reduction + "' is not none, sum or mean");
    setup.ignores = context.node().hasAttr("ignore_index");
    setup.ignoreIndex = context.node().attrInt("ignore_index", 0);
    return Status::ok();
}

Status computeNllLoss(const LossSetup& setup, const void* logProb, const TensorView& target, const void* weight,
                      void* loss) {
    if (setup.dtype == DataType::Double)
        return nllLoss(setup, static_cast<const double*>(logProb), target, static_cast<const double*>(weight),
                       static_cast<double*>(loss));
    return nllLoss(setup, static_cast<const float*>(logProb), target, static_cast<const float*>(weight),
                   static_cast<float*>(loss));
}

std::unique_ptr<Kernel> makeNegativeLogLikelihoodLossKernel() { return std::make_unique<NllLossKernel>(); }

}  // namespace interstage::cpu::nn
