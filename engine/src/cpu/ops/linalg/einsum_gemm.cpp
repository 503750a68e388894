#include "cpu/ops/linalg/einsum_gemm.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>

namespace interstage::cpu::linalg {

namespace {

// Copies a strided view into a dense row-major block: dst is walked in
// order, src by the per-dim strides.
void gather(const float* src, float* dst, const Shape& dims, const std::vector<int64_t>& strides) {
    const int64_t count = elementCount(dims).value_or(0);
    std::vector<int64_t> index(dims.size(), 0);
    int64_t offset = 0;
    for (int64_t i = 0; i < count; ++i) {
        dst[i] = src[offset];
        for (size_t k = dims.size(); k-- > 0;) {
            offset += strides[k];
            if (++index[k] < dims[k]) break;
            offset -= strides[k] * dims[k];
            index[k] = 0;
        }
    }
}

// Each operand's element stride per label (0 where the label is absent);
// false when a label repeats in an operand or a dim broadcasts.
bool labelStrides(const ops::EinsumEquation& eq, const std::vector<Shape>& shapes,
                  std::vector<std::vector<int64_t>>& strides) {
    strides.assign(shapes.size(), std::vector<int64_t>(eq.labelDims.size(), 0));
    for (size_t i = 0; i < shapes.size(); ++i) {
        std::vector<bool> seen(eq.labelDims.size(), false);
        int64_t stride = 1;
        for (size_t axis = shapes[i].size(); axis-- > 0;) {
            const auto label = static_cast<size_t>(eq.operandLabels[i][axis]);
            if (seen[label] || shapes[i][axis] != eq.labelDims[label]) return false;
            seen[label] = true;
            strides[i][label] = stride;
            stride *= shapes[i][axis];
        }
    }
    return true;
}

// True when the operand's axes are exactly `order` (so it is contiguous in it).
bool axesAre(const std::vector<int>& axes, const std::vector<int>& order) { return axes == order; }

std::vector<int> concat(std::initializer_list<const std::vector<int>*> parts) {
    std::vector<int> all;
    for (const auto* p : parts) all.insert(all.end(), p->begin(), p->end());
    return all;
}

}  // namespace

bool EinsumGemm::plan(const ops::EinsumEquation& eq, const std::vector<Shape>& shapes) {
    if (shapes.size() != 2) return false;
    std::vector<std::vector<int64_t>> strides;
    if (!labelStrides(eq, shapes, strides)) return false;
    std::vector<bool> present0(eq.labelDims.size(), false), present1(eq.labelDims.size(), false),
        inOutput(eq.labelDims.size(), false);
    for (int label : eq.operandLabels[0]) present0[static_cast<size_t>(label)] = true;
    for (int label : eq.operandLabels[1]) present1[static_cast<size_t>(label)] = true;
    for (int label : eq.outputLabels) inOutput[static_cast<size_t>(label)] = true;

    std::vector<int> batch, rows, cols, depth;  // labels by role: batch, M, N, K
    for (int label : eq.outputLabels) {
        const auto l = static_cast<size_t>(label);
        if (present0[l] && present1[l])
            batch.push_back(label);
        else if (present0[l])
            rows.push_back(label);
        else
            cols.push_back(label);
    }
    for (int label : eq.operandLabels[0]) {
        const auto l = static_cast<size_t>(label);
        if (inOutput[l]) continue;
        if (!present1[l]) return false;  // summed over A alone: not a product
        depth.push_back(label);
    }
    for (int label : eq.operandLabels[1])
        if (!inOutput[static_cast<size_t>(label)] && !present0[static_cast<size_t>(label)]) return false;

    const auto product = [&](const std::vector<int>& labels) {
        int64_t p = 1;
        for (int label : labels) p *= eq.labelDims[static_cast<size_t>(label)];
        return p;
    };
    batch_ = product(batch);
    m_ = product(rows);
    n_ = product(cols);
    k_ = product(depth);
    if (batch_ == 0 || m_ == 0 || n_ == 0 || k_ == 0) return false;  // the general loop writes the zeros

    const auto describe = [&](size_t operand, const std::vector<int>& inner, const std::vector<int>& outer,
                              Operand& o) {
        const std::vector<int>& axes = eq.operandLabels[operand];
        o.inPlace = axesAre(axes, concat({&batch, &outer, &inner}));
        o.transposed = !o.inPlace && axesAre(axes, concat({&batch, &inner, &outer}));
        if (o.transposed) o.inPlace = true;
        o.gatherDims.clear();
        o.strides.clear();
        for (int label : concat({&batch, &outer, &inner})) {
            o.gatherDims.push_back(eq.labelDims[static_cast<size_t>(label)]);
            o.strides.push_back(strides[operand][static_cast<size_t>(label)]);
        }
    };
    describe(0, depth, rows, a_);  // A as [batch][M][K]
    describe(1, cols, depth, b_);  // B as [batch][K][N]

    const std::vector<int> packedOrder = concat({&batch, &rows, &cols});
    outputInPlace_ = eq.outputLabels == packedOrder;
    // The packed product's stride for each output axis.
    std::vector<int64_t> packedStride(eq.labelDims.size(), 0);
    int64_t stride = 1;
    for (size_t i = packedOrder.size(); i-- > 0;) {
        packedStride[static_cast<size_t>(packedOrder[i])] = stride;
        stride *= eq.labelDims[static_cast<size_t>(packedOrder[i])];
    }
    scatterDims_.clear();
    scatterStrides_.clear();
    for (int label : eq.outputLabels) {
        scatterDims_.push_back(eq.labelDims[static_cast<size_t>(label)]);
        scatterStrides_.push_back(packedStride[static_cast<size_t>(label)]);
    }
    return true;
}

std::size_t EinsumGemm::workspaceBytes() const {
    int64_t floats = 0;
    if (!a_.inPlace) floats += batch_ * m_ * k_;
    if (!b_.inPlace) floats += batch_ * k_ * n_;
    if (!outputInPlace_) floats += batch_ * m_ * n_;
    return static_cast<std::size_t>(floats) * sizeof(float);
}

void EinsumGemm::run(const float* a, const float* b, float* out, void* workspace) const {
    float* next = static_cast<float*>(workspace);
    if (!a_.inPlace) {
        gather(a, next, a_.gatherDims, a_.strides);
        a = next;
        next += batch_ * m_ * k_;
    }
    if (!b_.inPlace) {
        gather(b, next, b_.gatherDims, b_.strides);
        b = next;
        next += batch_ * k_ * n_;
    }
    float* c = outputInPlace_ ? out : next;
    const char transA = a_.transposed ? 'T' : 'N', transB = b_.transposed ? 'T' : 'N';
    const int64_t lda = a_.transposed ? m_ : k_, ldb = b_.transposed ? k_ : n_;
    // Sizes were checked when planning, so sgemm cannot refuse them.
    for (int64_t i = 0; i < batch_; ++i)
        dnnl_sgemm(transA, transB, m_, n_, k_, 1.f, a + i * m_ * k_, lda, b + i * k_ * n_, ldb, 0.f, c + i * m_ * n_,
                   n_);
    if (!outputInPlace_) gather(c, out, scatterDims_, scatterStrides_);
}

}  // namespace interstage::cpu::linalg
