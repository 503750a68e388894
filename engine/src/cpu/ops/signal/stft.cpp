// STFT: the signal [batch, length, 1 or 2] cut into frames of frame_length
// every frame_step samples, each weighted by the window (ones when absent)
// and Fourier transformed: output [batch, frames, bins, 2], with bins =
// frame_length / 2 + 1 when onesided (the default), else frame_length.
#include <omp.h>

#include <algorithm>
#include <string>

#include "cpu/ops/signal/fourier.h"
#include "cpu/ops/signal/signal_kernels.h"
#include "cpu/ops/signal/signal_util.h"
#include "cpu/parallel.h"

namespace interstage::cpu::signal {

namespace {

class StftKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || !context.hasInput(1) || context.outputCount() != 1)
            return context.invalidHere("needs a signal, a frame_step and one output");
        dtype_ = context.inputType(0);
        if (!isSignalType(dtype_))
            return context.unsupportedHere(std::string("STFT of ") + dataTypeName(dtype_) + " is not supported");
        const Shape& in = context.inputShape(0);
        const Shape& out = context.output(0).shape;
        if (in.size() != 3 || (in[2] != 1 && in[2] != 2) || out.size() != 4 || out[3] != 2 || out[0] != in[0])
            return context.invalidHere(
                "signal must be [batch, length, 1 or 2] and the output [batch, frames, bins, 2]");
        if (context.output(0).dtype != dtype_) return context.invalidHere("output dtype differs from the signal's");
        if (context.hasInput(2)) {
            if (context.inputType(2) != dtype_) return context.invalidHere("window dtype differs from the signal's");
            if (context.inputShape(2).size() != 1) return context.invalidHere("window must be 1-D");
        }
        onesided_ = context.node().attrInt("onesided", 1) != 0;
        // The frame length: the window's, a constant frame_length, the
        // whole signal when neither is given, or the bins undone.
        frameLength_ = -1;
        if (context.hasInput(2))
            frameLength_ = context.inputShape(2)[0];
        else if (!context.hasInput(3))
            frameLength_ = in[1];
        else if (const TensorData* value = context.inputConstant(3))
            frameLength_ = scalarInteger(*value).value_or(-1);
        else if (!onesided_)
            frameLength_ = out[2];
        threads_ = std::max(1, context.threads());
        if (frameLength_ >= 1 && frameLength_ <= in[1]) {
            lineElements_ = frameLength_ + FourierPlan::scratchElements(frameLength_);
            plan_.build(frameLength_, false);  // runs then only transform
        } else {
            // Known only with the run: any length up to the signal's, with
            // Bluestein's scratch (under 4n).
            lineElements_ = 5 * std::max<int64_t>(in[1], 1);
        }
        return Status::ok();
    }

    std::size_t workspaceBytes() const override {
        return static_cast<std::size_t>(threads_ * lineElements_) * sizeof(Complex);
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        auto step = scalarInteger(context.inputs[1]);
        if (!step || *step < 1) return invalidArgument("STFT: frame_step must be a positive int32 or int64 scalar");
        int64_t n = context.hasInput(2) ? context.inputs[2].shape[0] : in.shape[1];
        if (context.hasInput(3)) {
            auto given = scalarInteger(context.inputs[3]);
            if (!given) return invalidArgument("STFT: frame_length must be an int32 or int64 scalar");
            n = *given;
        }
        if (context.hasInput(2) && context.inputs[2].shape[0] != n)
            return invalidArgument("STFT: frame_length differs from the window's length");
        const int64_t batch = in.shape[0], length = in.shape[1], parts = in.shape[2];
        const int64_t frames = out.shape[1], bins = out.shape[2];
        if (n < 1 || n > length || n + FourierPlan::scratchElements(n) > lineElements_ ||
            frames != 1 + (length - n) / *step || bins != (onesided_ ? n / 2 + 1 : n))
            return invalidArgument("STFT: frame_step / frame_length do not match the resolved output shape");
        if (plan_.length() != n) plan_.build(n, false);
        const void* window = context.hasInput(2) ? context.inputs[2].data : nullptr;
        const int64_t lines = batch * frames;
        auto* workspace = static_cast<Complex*>(context.workspace);
        // Frames of a real signal go two to a complex transform
        // (fourier.h splitRealPair).
        const bool paired = parts == 1;
        const int64_t units = paired ? (lines + 1) / 2 : lines;
        const int threads = static_cast<int>(std::min<int64_t>(threads_, std::max<int64_t>(units, 1)));
        // Sample k of frame l (frames of every batch row in a row).
        auto sampleAt = [&](int64_t l, int64_t k) { return (l / frames * length + l % frames * *step + k) * parts; };
        auto store = [&](int64_t l, int64_t k, Complex v) {
            storeReal(dtype_, out.data, (l * bins + k) * 2, v.real());
            storeReal(dtype_, out.data, (l * bins + k) * 2 + 1, v.imag());
        };

#pragma omp parallel num_threads(threads) if (lines * n * 8 > kParallelWork)
        {
            const int t = omp_get_thread_num(), team = omp_get_num_threads();
            Complex* line = workspace + t * lineElements_;
            for (int64_t u = units * t / team; u < units * (t + 1) / team; ++u) {
                const int64_t first = paired ? 2 * u : u;
                const bool second = paired && first + 1 < lines;
                for (int64_t k = 0; k < n; ++k) {
                    const double w = window ? loadReal(dtype_, window, k) : 1.0;
                    const double re = loadReal(dtype_, in.data, sampleAt(first, k));
                    double im = 0.0;
                    if (second)
                        im = loadReal(dtype_, in.data, sampleAt(first + 1, k));
                    else if (parts == 2)
                        im = loadReal(dtype_, in.data, sampleAt(first, k) + 1);
                    line[k] = Complex(re * w, im * w);
                }
                plan_.transform(line, line + n);
                for (int64_t k = 0; k < bins; ++k) {
                    if (!paired) {
                        store(first, k, line[k]);
                        continue;
                    }
                    Complex ofFirst, ofSecond;
                    splitRealPair(line, n, k, ofFirst, ofSecond);
                    store(first, k, ofFirst);
                    if (second) store(first + 1, k, ofSecond);
                }
            }
        }
        return Status::ok();
    }

private:
    DataType dtype_ = DataType::Float;
    bool onesided_ = true;
    int64_t frameLength_ = 0;
    int threads_ = 1;
    int64_t lineElements_ = 0;  // per thread: the frame and the plan's scratch
    FourierPlan plan_;
};

}  // namespace

std::unique_ptr<Kernel> makeStftKernel() { return std::make_unique<StftKernel>(); }

}  // namespace interstage::cpu::signal
