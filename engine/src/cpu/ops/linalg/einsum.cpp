// Einsum, general form: every output element is the sum, over all values of
// the subscripts missing from the output, of the product of the operands'
// elements those subscripts pick. Repeated subscripts in one operand (a
// diagonal) add their axes' strides; a broadcast ellipsis dim of size 1 has
// stride 0. Sums in double, so float32 keeps its accuracy over long sums
// (integers modulo 2^64).
// Two-operand float32 products take the sgemm path of einsum_gemm.h.
#include <algorithm>
#include <vector>

#include "cpu/ops/linalg/einsum_gemm.h"
#include "cpu/ops/linalg/linalg_kernels.h"
#include "cpu/parallel.h"
#include "ops/einsum_equation.h"

namespace interstage::cpu::linalg {

namespace {

constexpr int64_t kMaxProducts = int64_t(1) << 50;

class EinsumKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() == 0) return context.invalidHere("needs at least one input");
        std::vector<Shape> shapes;
        for (size_t i = 0; i < context.inputCount(); ++i) {
            if (!context.hasInput(i)) return context.invalidHere("input " + std::to_string(i) + " is missing");
            if (context.inputType(i) != context.inputType(0)) return context.invalidHere("inputs have different types");
            shapes.push_back(context.inputShape(i));
        }
        dtype_ = context.inputType(0);
        if (dtype_ != DataType::Float && dtype_ != DataType::Double && dtype_ != DataType::Int32 &&
            dtype_ != DataType::Int64)
            return context.unsupportedHere(std::string("inputs are ") + dataTypeName(dtype_) +
                                           "; only float32, float64, int32 and int64 are supported");
        auto parsed = ops::parseEinsum(context.node().attrString("equation", ""), shapes);
        if (!parsed.ok()) return context.invalidHere(parsed.status().message());
        const ops::EinsumEquation& eq = parsed.value();

        std::vector<bool> inOutput(eq.labelDims.size(), false);
        for (int label : eq.outputLabels) inOutput[static_cast<size_t>(label)] = true;
        std::vector<int> loopLabels = eq.outputLabels;
        for (const auto& labels : eq.operandLabels)
            for (int label : labels)
                if (!inOutput[static_cast<size_t>(label)]) {
                    inOutput[static_cast<size_t>(label)] = true;  // listed once
                    loopLabels.push_back(label);
                }
        outputAxes_ = eq.outputLabels.size();
        loopDims_.clear();
        for (int label : loopLabels) loopDims_.push_back(eq.labelDims[static_cast<size_t>(label)]);

        // strides_[operand][k]: elements that operand moves per step of loop label k.
        strides_.assign(shapes.size(), std::vector<int64_t>(loopLabels.size(), 0));
        for (size_t i = 0; i < shapes.size(); ++i) {
            int64_t stride = 1;
            for (size_t axis = shapes[i].size(); axis-- > 0;) {
                const int label = eq.operandLabels[i][axis];
                const size_t k =
                    static_cast<size_t>(std::find(loopLabels.begin(), loopLabels.end(), label) - loopLabels.begin());
                if (!(shapes[i][axis] == 1 && loopDims_[k] != 1)) strides_[i][k] += stride;
                stride *= shapes[i][axis];
            }
        }
        // Labels from different operands multiply: "ab,cd->" over 2^20-sized
        // dims is 2^80 products, which would overflow the counts below and
        // hang rather than give a result.
        int64_t products = 1;
        for (int64_t dim : loopDims_) {
            if (dim > 0 && products > kMaxProducts / dim)
                return context.unsupportedHere("the contraction takes more than 2^50 products");
            products *= dim;
        }
        outputCount_ = 1;
        for (size_t k = 0; k < outputAxes_; ++k) outputCount_ *= loopDims_[k];
        sumCount_ = 1;
        for (size_t k = outputAxes_; k < loopDims_.size(); ++k) sumCount_ *= loopDims_[k];
        useGemm_ = dtype_ == DataType::Float && gemm_.plan(eq, shapes);
        return Status::ok();
    }

    std::size_t workspaceBytes() const override { return useGemm_ ? gemm_.workspaceBytes() : 0; }

    Status run(RunContext& context) override {
        if (useGemm_) {
            gemm_.run(context.inputs[0].as<const float>(), context.inputs[1].as<const float>(),
                      context.outputs[0].as<float>(), context.workspace);
            return Status::ok();
        }
        switch (dtype_) {
            case DataType::Double:
                contract<double, double>(context);
                break;
            case DataType::Int32:
                contract<int32_t, uint64_t>(context);
                break;
            case DataType::Int64:
                contract<int64_t, uint64_t>(context);
                break;
            default:
                contract<float, double>(context);
        }
        return Status::ok();
    }

private:
    // Acc: double for floating types; uint64 for integers, whose modular
    // arithmetic wraps on overflow without undefined behaviour and gives the
    // two's complement result once cast back.
    template <class T, class Acc>
    void contract(RunContext& context) const {
        const size_t operands = strides_.size();
        std::vector<const T*> inputs;
        for (const TensorView& view : context.inputs) inputs.push_back(view.as<const T>());
        T* out = context.outputs[0].as<T>();
        const int64_t work = outputCount_ * sumCount_ * static_cast<int64_t>(operands);
#pragma omp parallel if (work > kParallelWork)
        {
            std::vector<int64_t> base(operands), offset(operands), index(loopDims_.size());
#pragma omp for schedule(static)
            for (int64_t o = 0; o < outputCount_; ++o) {
                // Operand offsets of this output element (its labels come first).
                std::fill(base.begin(), base.end(), 0);
                int64_t rest = o;
                for (size_t k = outputAxes_; k-- > 0;) {
                    const int64_t at = rest % loopDims_[k];
                    rest /= loopDims_[k];
                    for (size_t i = 0; i < operands; ++i) base[i] += at * strides_[i][k];
                }
                offset = base;
                std::fill(index.begin(), index.end(), 0);
                Acc sum = 0;
                for (int64_t s = 0; s < sumCount_; ++s) {
                    Acc product = 1;
                    for (size_t i = 0; i < operands; ++i) product *= static_cast<Acc>(inputs[i][offset[i]]);
                    sum += product;
                    // Odometer over the summed labels, innermost last.
                    for (size_t k = loopDims_.size(); k-- > outputAxes_;) {
                        for (size_t i = 0; i < operands; ++i) offset[i] += strides_[i][k];
                        if (++index[k] < loopDims_[k]) break;
                        for (size_t i = 0; i < operands; ++i) offset[i] -= strides_[i][k] * loopDims_[k];
                        index[k] = 0;
                    }
                }
                out[o] = static_cast<T>(sum);
            }
        }
    }

    DataType dtype_ = DataType::Undefined;
    size_t outputAxes_ = 0;          // the first loop labels are the output's axes
    std::vector<int64_t> loopDims_;  // output labels, then the summed ones
    std::vector<std::vector<int64_t>> strides_;
    int64_t outputCount_ = 1, sumCount_ = 1;
    bool useGemm_ = false;
    EinsumGemm gemm_;
};

}  // namespace

std::unique_ptr<Kernel> makeEinsumKernel() { return std::make_unique<EinsumKernel>(); }

}  // namespace interstage::cpu::linalg
