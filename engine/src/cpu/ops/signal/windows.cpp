// HannWindow, HammingWindow and BlackmanWindow: a window of `size` samples,
// periodic (the default: one period of a window of size + 1, as spectral
// analysis wants) or symmetric (periodic = 0), in output_datatype.
#include <cmath>
#include <numbers>
#include <string>

#include "cpu/ops/signal/signal_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::signal {

namespace {

enum class Window { Hann, Hamming, Blackman };

// Sample k of a window of denominator N, as the spec's formulas (and the
// reference) compute it in double; N = 0 (a symmetric window of one sample)
// gives NaN there too.
double windowSample(Window window, int64_t k, int64_t denominator) {
    const double phase = 2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(denominator);
    switch (window) {
        case Window::Hann:
            return 0.5 - 0.5 * std::cos(phase);
        case Window::Hamming: {
            constexpr double alpha = 25.0 / 46.0;
            return alpha - (1.0 - alpha) * std::cos(phase);
        }
        case Window::Blackman:
            return 0.42 - 0.5 * std::cos(phase) + 0.08 * std::cos(2.0 * phase);
    }
    return 0.0;
}

class WindowKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        const std::string& op = context.node().opType;
        window_ = op == "HannWindow" ? Window::Hann : op == "HammingWindow" ? Window::Hamming : Window::Blackman;
        if (!context.hasInput(0) || context.outputCount() != 1 || context.output(0).shape.size() != 1)
            return context.invalidHere("needs a size input and a 1-D output");
        periodic_ = context.node().attrInt("periodic", 1) != 0;
        dtype_ = context.output(0).dtype;
        double probe = 0;
        if (!tensor::storeNumber(dtype_, 0.0, &probe))
            return context.unsupportedHere(std::string("windows of ") + dataTypeName(dtype_) + " are not supported");
        return Status::ok();
    }

    Status run(RunContext& context) override {
        const TensorView& out = context.outputs[0];
        const int64_t size = out.shape[0];
        const int64_t denominator = periodic_ ? size : size - 1;
        const std::size_t es = dataTypeSize(dtype_);
        for (int64_t k = 0; k < size; ++k)
            tensor::storeNumber(dtype_, windowSample(window_, k, denominator),
                                out.as<char>() + k * static_cast<int64_t>(es));
        return Status::ok();
    }

private:
    Window window_ = Window::Hann;
    bool periodic_ = true;
    DataType dtype_ = DataType::Float;
};

}  // namespace

std::unique_ptr<Kernel> makeWindowKernel() { return std::make_unique<WindowKernel>(); }

}  // namespace interstage::cpu::signal
