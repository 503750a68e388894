// Pad in constant, reflect, edge and wrap modes. Opset < 11 takes pads and
// the value from attributes, later opsets from inputs (opset 18 adds axes).
// Negative pads crop. Every output coordinate maps, axis by axis, to an
// input coordinate or to "outside" (the constant); the middle of each row
// is a memcpy, only the padded ends go element by element.
#include <algorithm>
#include <cstring>

#include "cpu/ops/tensor/tensor_kernels.h"
#include "cpu/ops/tensor/tensor_util.h"

namespace interstage::cpu::tensor {

namespace {

enum class PadMode { Constant, Reflect, Edge, Wrap };

class PadKernel final : public Kernel {
public:
    Status prepare(PrepareContext& context) override {
        if (!context.hasInput(0) || context.outputCount() != 1)
            return context.invalidHere("needs a data input and one output");
        dtype_ = context.inputType(0);
        IS_RETURN_IF_ERROR(requireFixedSize(context, dtype_, "input"));
        std::string mode = context.node().attrString("mode", "constant");
        if (mode == "constant")
            mode_ = PadMode::Constant;
        else if (mode == "reflect")
            mode_ = PadMode::Reflect;
        else if (mode == "edge")
            mode_ = PadMode::Edge;
        else if (mode == "wrap")
            mode_ = PadMode::Wrap;
        else
            return context.invalidHere("unknown mode '" + mode + "'");
        inShape_ = context.inputShape(0);
        outShape_ = context.output(0).shape;
        if (outShape_.size() != inShape_.size()) return context.invalidHere("output rank differs from the input's");
        value_.assign(dataTypeSize(dtype_), std::byte{0});

        if (context.opset() > 0 && context.opset() < 11) {
            fromAttributes_ = true;
            if (!storeNumber(dtype_, context.node().attrFloat("value", 0.0f), value_.data()) &&
                mode_ == PadMode::Constant)
                return context.unsupportedHere(std::string("constant padding of ") + dataTypeName(dtype_));
            std::vector<int64_t> pads = context.node().attrInts(context.node().hasAttr("pads") ? "pads" : "paddings");
            return plan(pads, {}, &context);
        }
        if (!context.hasInput(1)) return context.invalidHere("input 'pads' is required");
        if (!isIntegerType(context.inputType(1))) return context.invalidHere("pads must be integers");
        if (context.hasInput(2) && context.inputType(2) != dtype_)
            return context.invalidHere("constant_value has another dtype than the data");
        for (size_t i = 1; i < 4; ++i)
            if (context.hasInput(i) && !context.inputConstant(i)) return Status::ok();  // planned at run time
        if (context.hasInput(2))
            readConstant(context.inputConstant(2)->bytes.data(), context.inputConstant(2)->elementCount());
        std::vector<int64_t> pads, axes;
        readIntegers(*context.inputConstant(1), pads);
        if (context.hasInput(3)) readIntegers(*context.inputConstant(3), axes);
        constantParams_ = true;
        return plan(pads, axes, &context);
    }

    Status run(RunContext& context) override {
        if (!fromAttributes_ && !constantParams_) {
            std::vector<int64_t> pads, axes;
            readIntegers(context.inputs[1], pads);
            if (context.hasInput(3)) readIntegers(context.inputs[3], axes);
            if (context.hasInput(2)) readConstant(context.inputs[2].data, context.inputs[2].count());
            IS_RETURN_IF_ERROR(plan(pads, axes, nullptr));
        }
        const TensorView& in = context.inputs[0];
        const TensorView& out = context.outputs[0];
        if (out.count() == 0) return Status::ok();
        const std::size_t es = dataTypeSize(in.dtype);
        const auto* src = in.as<const char>();
        auto* dst = out.as<char>();
        const size_t rank = outShape_.size();
        if (rank == 0) {
            std::memcpy(dst, src, es);
            return Status::ok();
        }
        if (mode_ == PadMode::Constant && padOneAxis(src, dst, es)) return Status::ok();
        const Shape inStrides = contiguousStrides(inShape_);
        const int64_t rowLength = outShape_[rank - 1];
        const int64_t rows = out.count() / rowLength;
        const std::vector<int64_t>& lastMap = maps_[rank - 1];
        // Output columns [lo, hi) read input columns [lo - begin, hi - begin).
        const int64_t begin = begins_[rank - 1];
        const int64_t lo = std::clamp<int64_t>(begin, 0, rowLength);
        const int64_t hi = std::clamp<int64_t>(begin + inShape_[rank - 1], lo, rowLength);
        const void* value = value_.data();

#pragma omp parallel for schedule(static) if (out.bytes() > static_cast <std::size_t>(kParallelBytes))
        for (int64_t row = 0; row < rows; ++row) {
            char* outRow = dst + row * rowLength * static_cast<int64_t>(es);
            int64_t rest = row, srcRow = 0;
            bool outside = false;
            for (size_t k = rank - 1; k-- > 0;) {
                int64_t from = maps_[k][static_cast<size_t>(rest % outShape_[k])];
                rest /= outShape_[k];
                if (from < 0) outside = true;
                srcRow += from * inStrides[k];
            }
            if (outside) {
                fillElements(outRow, value, es, rowLength);
                continue;
            }
            const char* inRow = src + srcRow * static_cast<int64_t>(es);
            auto edge = [&](int64_t o) {
                int64_t from = lastMap[static_cast<size_t>(o)];
                std::memcpy(outRow + o * static_cast<int64_t>(es),
                            from < 0 ? value : inRow + from * static_cast<int64_t>(es), es);
            };
            for (int64_t o = 0; o < lo; ++o) edge(o);
            if (hi > lo)
                std::memcpy(outRow + lo * static_cast<int64_t>(es), inRow + (lo - begin) * static_cast<int64_t>(es),
                            static_cast<std::size_t>(hi - lo) * es);
            for (int64_t o = hi; o < rowLength; ++o) edge(o);
        }
        return Status::ok();
    }

private:
    // Constant padding along one axis, without cropping (zero channels
    // added to a shortcut, as BlazeFace grows its width): per index of the
    // axes before it, one fill, one block copy, one fill, instead of a walk
    // over every row of the axes after it. False when it does not apply.
    bool padOneAxis(const char* src, char* dst, std::size_t es) const {
        size_t axis = inShape_.size();
        for (size_t a = 0; a < inShape_.size(); ++a) {
            if (inShape_[a] == outShape_[a] && begins_[a] == 0) continue;
            if (axis != inShape_.size()) return false;
            axis = a;
        }
        if (axis == inShape_.size()) return false;
        const int64_t before = begins_[axis], inDim = inShape_[axis], after = outShape_[axis] - inDim - before;
        if (before < 0 || after < 0) return false;
        const int64_t outer = product(outShape_, 0, axis), inner = product(outShape_, axis + 1, outShape_.size());
        const auto bytes = [&](int64_t elements) { return elements * static_cast<int64_t>(es); };
        const void* value = value_.data();
        // Each image's [fill | copy | fill] cut in parts, so one image (the
        // usual batch) still spreads over the threads.
        const int64_t perOuter = outShape_[axis] * inner, copyBegin = before * inner,
                      copyEnd = copyBegin + inDim * inner;
        const int64_t parts = bytes(outer * perOuter) > static_cast<int64_t>(kParallelBytes) ? 8 : 1;
#pragma omp parallel for schedule(static) if (parts > 1)
        for (int64_t task = 0; task < outer * parts; ++task) {
            const int64_t o = task / parts, part = task % parts;
            const int64_t b = perOuter * part / parts, e = perOuter * (part + 1) / parts;
            char* out = dst + bytes(o * perOuter);
            const int64_t cb = std::clamp(copyBegin, b, e), ce = std::clamp(copyEnd, cb, e);
            fillElements(out + bytes(b), value, es, cb - b);
            if (ce > cb)
                std::memcpy(out + bytes(cb), src + bytes(o * inDim * inner + cb - copyBegin),
                            static_cast<std::size_t>(bytes(ce - cb)));
            fillElements(out + bytes(ce), value, es, e - ce);
        }
        return true;
    }

    void readConstant(const void* data, int64_t count) {
        if (data && count >= 1) std::memcpy(value_.data(), data, value_.size());
    }

    // Builds, for each axis, the input coordinate every output coordinate
    // reads (-1 for the constant).
    Status plan(const std::vector<int64_t>& pads, std::vector<int64_t> axes, const PrepareContext* context) {
        auto fail = [&](const std::string& why) {
            return context ? context->invalidHere(why) : Status(StatusCode::InvalidModel, "Pad: " + why);
        };
        const auto rank = static_cast<int64_t>(inShape_.size());
        if (axes.empty())
            for (int64_t k = 0; k < rank; ++k) axes.push_back(k);
        if (!normalizeAxes(axes, rank)) return fail("axes are out of range or repeated");
        if (pads.size() != 2 * axes.size()) return fail("pads must hold a begin and an end for every axis");
        begins_.assign(inShape_.size(), 0);
        Shape expected = inShape_;
        for (size_t k = 0; k < axes.size(); ++k) {
            auto a = static_cast<size_t>(axes[k]);
            begins_[a] = pads[k];
            expected[a] += pads[k] + pads[k + axes.size()];
        }
        if (expected != outShape_)
            return fail("pads give " + shapeToString(expected) + ", not the resolved output " +
                        shapeToString(outShape_));
        maps_.assign(inShape_.size(), {});
        for (size_t a = 0; a < inShape_.size(); ++a) {
            const int64_t dim = inShape_[a];
            std::vector<int64_t>& map = maps_[a];
            map.resize(static_cast<size_t>(outShape_[a]));
            for (int64_t o = 0; o < outShape_[a]; ++o) {
                int64_t i = o - begins_[a];
                if (i < 0 || i >= dim) {
                    if (mode_ != PadMode::Constant && dim == 0) return fail("cannot pad an empty axis in this mode");
                    i = outsideIndex(i, dim);
                }
                map[static_cast<size_t>(o)] = i;
            }
        }
        return Status::ok();
    }

    // The input coordinate an out-of-range coordinate i reads (dim > 0
    // unless the mode is constant).
    int64_t outsideIndex(int64_t i, int64_t dim) const {
        switch (mode_) {
            case PadMode::Constant:
                return -1;
            case PadMode::Edge:
                return i < 0 ? 0 : dim - 1;
            case PadMode::Wrap:
                return ((i % dim) + dim) % dim;
            case PadMode::Reflect: {
                if (dim == 1) return 0;
                // Reflection without repeating the edge has period 2(dim-1).
                int64_t period = 2 * (dim - 1);
                int64_t m = ((i % period) + period) % period;
                return m < dim ? m : period - m;
            }
        }
        return -1;
    }

    DataType dtype_ = DataType::Float;
    PadMode mode_ = PadMode::Constant;
    Shape inShape_, outShape_;
    bool fromAttributes_ = false;
    bool constantParams_ = false;
    std::vector<std::byte> value_;  // the constant, one element of the data's dtype
    std::vector<int64_t> begins_;
    std::vector<std::vector<int64_t>> maps_;
};

}  // namespace

std::unique_ptr<Kernel> makePadKernel() { return std::make_unique<PadKernel>(); }

}  // namespace interstage::cpu::tensor
