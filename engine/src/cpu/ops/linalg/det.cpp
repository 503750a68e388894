// Det: the determinant of each M x M matrix in the last two axes, by LU
// decomposition with partial pivoting (the product of the pivots, negated
// per row swap), in double on a copy in the workspace.
#include <cmath>
#include <utility>

#include "cpu/ops/linalg/linalg_kernels.h"

namespace interstage::cpu::linalg {

namespace {

// Destroys `a` (n x n, row-major).
double determinant(double* a, int64_t n) {
    double det = 1;
    for (int64_t col = 0; col < n; ++col) {
        int64_t pivot = col;
        for (int64_t row = col + 1; row < n; ++row)
            if (std::abs(a[row * n + col]) > std::abs(a[pivot * n + col])) pivot = row;
        if (a[pivot * n + col] == 0) return 0;
        if (pivot != col) {
            for (int64_t k = 0; k < n; ++k) std::swap(a[pivot * n + k], a[col * n + k]);
            det = -det;
        }
        const double p = a[col * n + col];
        det *= p;
        for (int64_t row = col + 1; row < n; ++row) {
            const double factor = a[row * n + col] / p;
            for (int64_t k = col + 1; k < n; ++k) a[row * n + k] -= factor * a[col * n + k];
        }
    }
    return det;
}

class DetKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (context.inputCount() != 1 || !context.hasInput(0)) return context.invalidHere("needs one input X");
        dtype_ = context.inputType(0);
        if (dtype_ != DataType::Float && dtype_ != DataType::Double)
            return context.unsupportedHere(std::string("input is ") + dataTypeName(dtype_) +
                                           "; only float32 and float64 are supported");
        const Shape& x = context.inputShape(0);
        if (x.size() < 2 || x[x.size() - 1] != x[x.size() - 2])
            return context.invalidHere("input " + shapeToString(x) + " is not a stack of square matrices");
        size_ = x.back();
        matrices_ = 1;
        for (size_t i = 0; i + 2 < x.size(); ++i) matrices_ *= x[i];
        return Status::ok();
    }

    std::size_t workspaceBytes() const override { return static_cast<std::size_t>(size_ * size_) * sizeof(double); }

    Status run(RunContext& context) override {
        if (dtype_ == DataType::Double)
            compute(context.inputs[0].as<const double>(), context.outputs[0].as<double>(), context.workspace);
        else
            compute(context.inputs[0].as<const float>(), context.outputs[0].as<float>(), context.workspace);
        return Status::ok();
    }

private:
    template <class T>
    void compute(const T* x, T* y, void* workspace) const {
        auto* a = static_cast<double*>(workspace);
        const int64_t elements = size_ * size_;
        for (int64_t m = 0; m < matrices_; ++m) {
            for (int64_t i = 0; i < elements; ++i) a[i] = static_cast<double>(x[m * elements + i]);
            y[m] = static_cast<T>(determinant(a, size_));
        }
    }

    DataType dtype_ = DataType::Undefined;
    int64_t size_ = 0, matrices_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeDetKernel() { return std::make_unique<DetKernel>(); }

}  // namespace interstage::cpu::linalg
