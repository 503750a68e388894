// MelWeightMatrix: the [dft_length / 2 + 1, num_mel_bins] matrix that maps
// a one-sided spectrum onto triangular mel-scale bands between
// lower_edge_hertz and upper_edge_hertz. Follows the ONNX reference step
// for step (band edges spaced evenly on the mel scale over num_mel_bins + 2
// steps, snapped down to whole spectrum bins), so outputs match it exactly.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "cpu/ops/signal/signal_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::signal {

namespace {

// Hertz to mel in float, as the reference computes from its float inputs:
// the edges are snapped to bins after, so the rounding decides which bin.
float hertzToMel(double hertz) { return 2595.0f * std::log10(1.0f + static_cast<float>(hertz) / 700.0f); }

class MelWeightMatrixKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() != 5 || context.outputCount() != 1)
            return context.invalidHere(
                "needs num_mel_bins, dft_length, sample_rate, lower_edge_hertz and "
                "upper_edge_hertz inputs");
        for (size_t i = 0; i < 5; ++i)
            if (!context.hasInput(i) || elementCount(context.inputShape(i)) != 1)
                return context.invalidHere("every input must be a scalar");
        dtype_ = context.output(0).dtype;
        double probe = 0;
        if (!tensor::storeNumber(dtype_, 0.0, &probe) || context.output(0).shape.size() != 2)
            return context.unsupportedHere(std::string("a ") + dataTypeName(dtype_) + " matrix is not supported");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        double v[5];
        for (size_t i = 0; i < 5; ++i) {
            if (!tensor::readNumbers(context.inputs[i], scalar_) || scalar_.size() != 1)
                return invalidArgument("MelWeightMatrix: inputs must be numeric scalars");
            v[i] = scalar_[0];
        }
        const TensorView& out = context.outputs[0];
        const int64_t spectrumBins = out.shape[0], melBins = out.shape[1];
        const auto dftLength = static_cast<int64_t>(v[1]);
        const double sampleRate = v[2];
        if (spectrumBins != dftLength / 2 + 1 || melBins != static_cast<int64_t>(v[0]) || sampleRate <= 0)
            return invalidArgument(
                "MelWeightMatrix: inputs do not match the resolved output shape, or the "
                "sample rate is not positive");
        const float lowMel = hertzToMel(v[3]);
        const float highMel = hertzToMel(v[4]);
        const double melStep = static_cast<double>(highMel - lowMel) / static_cast<double>(melBins + 2);
        edges_.resize(static_cast<size_t>(melBins + 2));
        for (int64_t i = 0; i < melBins + 2; ++i) {
            const double mel = static_cast<double>(i) * melStep + static_cast<double>(lowMel);
            const double hertz = 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
            const double edge = std::floor(static_cast<double>(dftLength + 1) * hertz / sampleRate);
            // Edges stay doubles: hostile hertz values may put them far
            // outside int64, and only the rows inside the matrix are walked.
            if (!std::isfinite(edge))
                return invalidArgument("MelWeightMatrix: the edge frequencies give no finite spectrum bin");
            edges_[static_cast<size_t>(i)] = edge;
        }
        const auto es = static_cast<int64_t>(dataTypeSize(dtype_));
        std::memset(out.data, 0, out.bytes());  // zero is all-zero bits in every numeric dtype
        auto set = [&](int64_t row, int64_t col, double w) {
            tensor::storeNumber(dtype_, w, out.as<char>() + (row * melBins + col) * es);
        };
        // Rows j in [from, to] clipped to the matrix.
        auto rows = [&](double from, double to, auto&& visit) {
            const double first = std::max(from, 0.0), last = std::min(to, static_cast<double>(spectrumBins - 1));
            if (!(first <= last)) return;  // also keeps the cast below in range
            for (auto j = static_cast<int64_t>(first); static_cast<double>(j) <= last; ++j) visit(j);
        };
        for (int64_t i = 0; i < melBins; ++i) {
            const double left = edges_[static_cast<size_t>(i)];
            const double center = edges_[static_cast<size_t>(i + 1)];
            const double right = edges_[static_cast<size_t>(i + 2)];
            if (center == left)
                rows(center, center, [&](int64_t j) { set(j, i, 1.0); });
            else
                rows(left, center, [&](int64_t j) { set(j, i, (static_cast<double>(j) - left) / (center - left)); });
            if (right > center)
                rows(center, right - 1,
                     [&](int64_t j) { set(j, i, (right - static_cast<double>(j)) / (right - center)); });
        }
        return Status::ok();
    }

private:
    DataType dtype_ = DataType::Float;
    std::vector<double> scalar_;
    std::vector<double> edges_;
};

}  // namespace

std::unique_ptr<Kernel> makeMelWeightMatrixKernel() { return std::make_unique<MelWeightMatrixKernel>(); }

}  // namespace interstage::cpu::signal
