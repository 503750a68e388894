// TopK along one axis: the k largest (or smallest) values and their
// indices, in order when sorted = 1. Equal values keep the lower index
// first, as ONNX Runtime does. Each line along the axis is copied into a
// per-thread buffer and partially sorted; lines run in parallel.
#include <algorithm>
#include <utility>

#include "cpu/ops/elementwise/elementwise_common.h"
#include "cpu/ops/select/select_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::selection {

namespace {

using ew::Compute;
using ew::load;

struct Lines {
    int64_t outer = 1, length = 0, inner = 1, k = 0;
};

template <class T>
void topK(const Lines& g, bool largest, const T* in, T* values, int64_t* indices) {
    using C = Compute<T>;
    using Entry = std::pair<C, int64_t>;
    auto before = [largest](const Entry& a, const Entry& b) {
        if (a.first != b.first) return largest ? a.first > b.first : a.first < b.first;
        return a.second < b.second;
    };
    const int64_t lines = g.outer * g.inner;
    ew::parallelBlocks(lines, lines * g.length, [&](int64_t begin, int64_t end) {
        std::vector<Entry> line(static_cast<size_t>(g.length));
        for (int64_t l = begin; l < end; ++l) {
            const int64_t o = l / g.inner, i = l % g.inner;
            const T* src = in + o * g.length * g.inner + i;
            for (int64_t r = 0; r < g.length; ++r) line[size_t(r)] = {load(src[r * g.inner]), r};
            std::partial_sort(line.begin(), line.begin() + g.k, line.end(), before);
            T* v = values + o * g.k * g.inner + i;
            int64_t* x = indices + o * g.k * g.inner + i;
            for (int64_t r = 0; r < g.k; ++r) {
                v[r * g.inner] = ew::store<T>(line[size_t(r)].first);
                x[r * g.inner] = line[size_t(r)].second;
            }
        }
    });
}

using TopKFn = void (*)(const Lines&, bool, const void*, void*, int64_t*);

template <class T>
void topKErased(const Lines& g, bool largest, const void* in, void* values, int64_t* indices) {
    topK<T>(g, largest, static_cast<const T*>(in), static_cast<T*>(values), indices);
}

class TopKKernel final : public Kernel {
public:
    Status prepare(PrepareContext& c) override {
        const Node& node = c.node();
        name_ = node.name;
        kFromInput_ = c.opset() == 0 || c.opset() >= 10;
        if (!c.hasInput(0) || (kFromInput_ && !c.hasInput(1))) return c.invalidHere("needs X and K inputs");
        if (c.outputCount() < 2) return c.invalidHere("needs the Values and Indices outputs");
        ew::dispatchType<ew::kNumeric>(c.inputType(0),
                                       [&](auto tag) { fn_ = &topKErased<typename decltype(tag)::type>; });
        if (!fn_) return c.unsupportedHere(ew::dtypeRefusal(c.inputType(0)));
        axis_ = node.attrInt("axis", -1);
        largest_ = node.attrInt("largest", 1) != 0;
        attrK_ = node.attrInt("k", -1);
        if (!ew::normalizeAxis(axis_, static_cast<int64_t>(c.inputShape(0).size()), axis_))
            return c.invalidHere("axis " + std::to_string(node.attrInt("axis", -1)) + " is out of range");
        return Status::ok();
    }

    Status run(RunContext& c) override {
        const TensorView& x = c.inputs[0];
        Lines g;
        const auto a = static_cast<size_t>(axis_);
        g.outer = ew::dimProduct(x.shape, 0, a);
        g.length = x.shape[a];
        g.inner = ew::dimProduct(x.shape, a + 1, x.shape.size());
        g.k = attrK_;
        if (kFromInput_) {
            std::vector<int64_t> k;
            if (!c.hasInput(1) || !tensor::readIntegers(c.inputs[1], k) || k.size() != 1)
                return invalidModel(name_ + " (TopK): K must be one integer");
            g.k = k[0];
        }
        if (g.k < 0 || g.k > g.length)
            return invalidModel(name_ + " (TopK): k = " + std::to_string(g.k) + " is outside [0, " +
                                std::to_string(g.length) + "]");
        const TensorView& values = c.outputs[0];
        const TensorView& indices = c.outputs[1];
        if (values.count() != g.outer * g.k * g.inner || indices.count() != values.count())
            return shapeError(name_ + " (TopK): the outputs do not hold k values per line");
        if (g.k > 0) fn_(g, largest_, x.data, values.data, indices.as<int64_t>());
        return Status::ok();
    }

private:
    TopKFn fn_ = nullptr;
    int64_t axis_ = -1, attrK_ = -1;
    bool largest_ = true, kFromInput_ = true;
    std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> makeTopKKernel() { return std::make_unique<TopKKernel>(); }

}  // namespace interstage::cpu::selection
