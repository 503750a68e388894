// DFT (opsets 17 and 20): the Fourier transform along one axis of a real
// ([..., 1]) or complex ([..., 2]) signal, forward or inverse, full or
// one-sided, zero-padded or cut to dft_length. Opset 17 names the axis in
// an attribute, opset 20 in an optional third input. An inverse one-sided
// DFT takes half a spectrum back to a real signal (numpy's irfft).
#include <omp.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "cpu/ops/signal/fourier.h"
#include "cpu/ops/signal/signal_kernels.h"
#include "cpu/ops/signal/signal_util.h"
#include "cpu/parallel.h"

namespace interstage::cpu::signal {

namespace {

class DftKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs an input and one output");
        dtype_ = context.inputType(0);
        if (!isSignalType(dtype_))
            return context.unsupportedHere(std::string("DFT of ") + dataTypeName(dtype_) + " is not supported");
        if (context.output(0).dtype != dtype_) return context.invalidHere("output dtype differs from the input's");
        const Shape& in = context.inputShape(0);
        const Shape& out = context.output(0).shape;
        if (in.size() < 2 || in.size() != out.size() || (in.back() != 1 && in.back() != 2))
            return context.invalidHere("input must be [..., 1 or 2] and the output of its rank");
        inverse_ = context.node().attrInt("inverse", 0) != 0;
        onesided_ = context.node().attrInt("onesided", 0) != 0;
        axisIsInput_ = context.opset() >= 20;
        axis_ = axisIsInput_ ? -2 : context.node().attrInt("axis", 1);
        bool axisKnown = true;
        if (axisIsInput_ && context.hasInput(2)) {
            const TensorData* value = context.inputConstant(2);
            axisKnown = value != nullptr;
            if (value) {
                auto given = scalarInteger(*value);
                if (!given) return context.invalidHere("axis must be an int32 or int64 scalar");
                axis_ = *given;
            }
        }
        threads_ = std::max(1, context.threads());
        // Room per thread for the line and its plan's scratch, for every
        // length the resolved output allows (a one-sided output of m bins
        // comes from n = 2m - 2 or 2m - 1; an axis known only at run time
        // leaves any length up to twice the largest dim).
        if (axisKnown) {
            IS_RETURN_IF_ERROR(checkAxis(context, axis_));
            const int64_t along = out[static_cast<size_t>(normalized(axis_))];
            std::vector<int64_t> lengths{along};
            if (onesided_ && !inverse_) lengths = {2 * along - 2, 2 * along - 1};
            for (int64_t n : lengths) lineElements_ = std::max(lineElements_, n + FourierPlan::scratchElements(n));
            // The twiddles are made here when the length is known, so runs
            // only transform.
            const int64_t inAlong = in[static_cast<size_t>(normalized(axis_))];
            std::optional<int64_t> n = inverse_ && onesided_ ? 2 * (inAlong - 1) : inAlong;
            if (context.hasInput(1))
                n = context.inputConstant(1) ? scalarInteger(*context.inputConstant(1)) : std::nullopt;
            if (n && *n >= 1 && *n + FourierPlan::scratchElements(*n) <= lineElements_) plan_.build(*n, inverse_);
        } else {
            int64_t bound = 1;
            for (int64_t d : out) bound = std::max(bound, 2 * d);
            lineElements_ = 5 * bound;  // Bluestein's scratch is under 4n
        }
        return Status::ok();
    }

    std::size_t workspaceBytes() const override {
        return static_cast<std::size_t>(threads_ * lineElements_) * sizeof(Complex);
    }

    Status run(RunContext& context) override {
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        int64_t axis = axis_;
        if (axisIsInput_ && context.hasInput(2)) {
            auto given = scalarInteger(context.inputs[2]);
            if (!given) return invalidArgument("DFT: axis must be an int32 or int64 scalar");
            axis = *given;
        }
        const auto rank = static_cast<int64_t>(in.shape.size());
        if (axis < 0) axis += rank;
        if (axis < 0 || axis > rank - 2) return invalidArgument("DFT: axis is out of range");
        const auto a = static_cast<size_t>(axis);
        const int64_t along = in.shape[a];
        int64_t n = inverse_ && onesided_ ? 2 * (along - 1) : along;
        if (context.hasInput(1)) {
            auto given = scalarInteger(context.inputs[1]);
            if (!given) return invalidArgument("DFT: dft_length must be an int32 or int64 scalar");
            n = *given;
        }
        const int64_t outAlong = out.shape[a];
        const int64_t expected = inverse_ || !onesided_ ? n : n / 2 + 1;
        if (n < 1 || outAlong != expected || n + FourierPlan::scratchElements(n) > lineElements_)
            return invalidArgument("DFT: dft_length does not match the resolved output shape");
        if (plan_.length() != n || plan_.inverse() != inverse_) plan_.build(n, inverse_);

        int64_t outer = 1, inner = 1;
        for (size_t k = 0; k < a; ++k) outer *= in.shape[k];
        for (size_t k = a + 1; k + 1 < in.shape.size(); ++k) inner *= in.shape[k];
        const int64_t inParts = in.shape.back(), outParts = out.shape.back();
        const int64_t lines = outer * inner;
        // Input bins read: an irfft reads half a spectrum and mirrors it.
        const bool irfft = inverse_ && onesided_;
        const int64_t taken = std::min(along, irfft ? n / 2 + 1 : n);
        const double scale = inverse_ ? 1.0 / static_cast<double>(n) : 1.0;
        auto* workspace = static_cast<Complex*>(context.workspace);
        // Real lines go two to a complex transform (fourier.h splitRealPair).
        const bool paired = inParts == 1 && !irfft;
        const int64_t units = paired ? (lines + 1) / 2 : lines;
        const int threads = static_cast<int>(std::min<int64_t>(threads_, std::max<int64_t>(units, 1)));
        auto inAt = [&](int64_t l, int64_t k) { return ((l / inner * along + k) * inner + l % inner) * inParts; };
        auto outAt = [&](int64_t l, int64_t k) { return ((l / inner * outAlong + k) * inner + l % inner) * outParts; };
        auto store = [&](int64_t l, int64_t k, Complex v) {
            storeReal(dtype_, out.data, outAt(l, k), v.real() * scale);
            if (outParts == 2) storeReal(dtype_, out.data, outAt(l, k) + 1, v.imag() * scale);
        };

#pragma omp parallel num_threads(threads) if (lines * n * 8 > kParallelWork)
        {
            const int t = omp_get_thread_num(), team = omp_get_num_threads();
            Complex* line = workspace + t * lineElements_;
            Complex* scratch = line + n;
            for (int64_t u = units * t / team; u < units * (t + 1) / team; ++u) {
                const int64_t first = paired ? 2 * u : u;
                const bool second = paired && first + 1 < lines;
                for (int64_t k = 0; k < n; ++k) {
                    if (k >= taken) {
                        line[k] = Complex(0, 0);
                        continue;
                    }
                    const double re = loadReal(dtype_, in.data, inAt(first, k));
                    double im = 0.0;
                    if (second)
                        im = loadReal(dtype_, in.data, inAt(first + 1, k));
                    else if (inParts == 2)
                        im = loadReal(dtype_, in.data, inAt(first, k) + 1);
                    line[k] = Complex(re, im);
                }
                if (irfft)
                    for (int64_t k = n / 2 + 1; k < n; ++k) line[k] = std::conj(line[n - k]);
                plan_.transform(line, scratch);
                for (int64_t k = 0; k < outAlong; ++k) {
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
    int64_t normalized(int64_t axis) const { return axis < 0 ? axis + rank_ : axis; }

    Status checkAxis(const PrepareContext& context, int64_t axis) {
        rank_ = static_cast<int64_t>(context.inputShape(0).size());
        const int64_t a = normalized(axis);
        if (a < 0 || a > rank_ - 2)
            return context.invalidHere("axis " + std::to_string(axis) + " is out of range for rank " +
                                       std::to_string(rank_) + " (the last dim holds the complex parts)");
        return Status::ok();
    }

    DataType dtype_ = DataType::Float;
    bool inverse_ = false, onesided_ = false, axisIsInput_ = false;
    int64_t axis_ = 1, rank_ = 0;
    int threads_ = 1;
    int64_t lineElements_ = 0;  // per thread: the line and the plan's scratch
    FourierPlan plan_;
};

}  // namespace

std::unique_ptr<Kernel> makeDftKernel() { return std::make_unique<DftKernel>(); }

}  // namespace interstage::cpu::signal
