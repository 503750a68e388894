// Shape rules for ops that move data around without computing on it:
// Reshape, Flatten, Squeeze, Unsqueeze, Concat, Split, Slice, Gather,
// GatherElements, GatherND, Scatter*, Transpose, Pad (Resize and Upsample:
// shape_rules_resize.cpp).
// Reshape-like ops, Concat, Split, Slice, Gather and Transpose fold: shape
// chains (Shape -> Gather -> Concat -> Reshape) run through them.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "model/fold_util.h"
#include "model/shape_rules.h"

namespace interstage::shapes {

namespace {

using namespace fold;

// Sets output i, folding it from input 0's value when that is known: the
// data is the same, only the shape changes.
Status setReshaped(ShapeContext& c, size_t i, Shape shape) {
    IS_RETURN_IF_ERROR(checkShape(c, shape, "output"));
    if (const TensorData* x = knownValue(c, 0); x && fitsFold(c, shape)) {
        c.setOutputValue(i, reshaped(*x, std::move(shape)));
        return Status::ok();
    }
    c.setOutput(i, c.inputType(0), std::move(shape));
    return Status::ok();
}

// Sets output i from input 0 through an index map built on demand.
template <class MakeIndex>
Status setGathered(ShapeContext& c, size_t i, Shape shape, MakeIndex makeIndex) {
    IS_RETURN_IF_ERROR(checkShape(c, shape, "output"));
    const TensorData* x = knownValue(c, 0);
    TensorData out;
    if (x && fitsFold(c, shape) && takeElements(*x, shape, makeIndex(), out)) {
        c.setOutputValue(i, std::move(out));
        return Status::ok();
    }
    c.setOutput(i, c.inputType(0), std::move(shape));
    return Status::ok();
}

Status readAxis(const ShapeContext& c, int64_t fallback, int64_t rank, int64_t& axis) {
    axis = c.node().attrInt("axis", fallback);
    if (!normalizeAxis(axis, rank))
        return c.fail("axis " + std::to_string(c.node().attrInt("axis", fallback)) + " is out of range for rank " +
                      std::to_string(rank));
    return Status::ok();
}

// ---------------------------------------------------------------- reshapes

Status reshapeRule(ShapeContext& c) {
    bool fromAttr = opsetBefore(c, 5);
    IS_RETURN_IF_ERROR(checkArity(c, fromAttr ? 1 : 2, fromAttr ? 1 : 2, 1));
    std::vector<int64_t> target;
    if (fromAttr)
        target = c.node().attrInts("shape");
    else
        IS_RETURN_IF_ERROR(readInts(c, 1, "shape", target));
    const Shape& in = c.inputShape(0);
    int64_t total = elementCount(in).value_or(0);  // inputs are resolved and valid
    bool allowZero = c.node().attrInt("allowzero", 0) != 0;
    Shape out(target.size());
    size_t inferred = target.size();
    int64_t known = 1;
    for (size_t k = 0; k < target.size(); ++k) {
        int64_t v = target[k];
        if (v == 0 && !allowZero) {
            if (k >= in.size())
                return c.fail("shape " + shapeToString(target) + " copies dim " + std::to_string(k) +
                              " (a 0) that the input " + shapeToString(in) + " does not have");
            v = in[k];
        } else if (v == -1) {
            if (inferred != target.size()) return c.fail("shape " + shapeToString(target) + " has more than one -1");
            inferred = k;
            continue;
        } else if (v < 0) {
            return c.fail("shape " + shapeToString(target) + " has the invalid dim " + std::to_string(v));
        }
        out[k] = v;
        if (!checkedMul(known, v, known) || known > kMaxElements)
            return c.fail("shape " + shapeToString(target) + " is absurdly large");
    }
    if (inferred != target.size()) {
        if (known == 0) return c.fail("shape " + shapeToString(target) + " cannot infer its -1 next to a 0 dim");
        if (total % known != 0)
            return c.fail("cannot reshape " + shapeToString(in) + " (" + std::to_string(total) + " elements) to " +
                          shapeToString(target));
        out[inferred] = total / known;
    } else if (known != total) {
        return c.fail("cannot reshape " + shapeToString(in) + " (" + std::to_string(total) + " elements) to " +
                      shapeToString(out) + " (" + std::to_string(known) + " elements)");
    }
    return setReshaped(c, 0, std::move(out));
}

Status flattenRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    const Shape& in = c.inputShape(0);
    auto rank = static_cast<int64_t>(in.size());
    int64_t axis = c.node().attrInt("axis", 1);
    if (axis < 0) axis += rank;  // axis may equal rank: everything goes to the first dim
    if (axis < 0 || axis > rank)
        return c.fail("axis " + std::to_string(c.node().attrInt("axis", 1)) + " is out of range for rank " +
                      std::to_string(rank));
    int64_t outer = 1, inner = 1;
    for (int64_t k = 0; k < rank; ++k) (k < axis ? outer : inner) *= in[static_cast<size_t>(k)];
    return setReshaped(c, 0, {outer, inner});
}

Status squeezeRule(ShapeContext& c) {
    bool fromAttr = opsetBefore(c, 13);
    IS_RETURN_IF_ERROR(checkArity(c, 1, fromAttr ? 1 : 2, 1));
    std::vector<int64_t> axes;
    if (fromAttr)
        axes = c.node().attrInts("axes");
    else if (c.hasInput(1))
        IS_RETURN_IF_ERROR(readInts(c, 1, "axes", axes));
    const Shape& in = c.inputShape(0);
    IS_RETURN_IF_ERROR(normalizeAxes(c, axes, static_cast<int64_t>(in.size())));
    std::vector<bool> drop(in.size(), false);
    if (axes.empty()) {
        for (size_t k = 0; k < in.size(); ++k) drop[k] = in[k] == 1;
    } else {
        for (int64_t axis : axes) {
            if (in[static_cast<size_t>(axis)] != 1)
                return c.fail("cannot squeeze axis " + std::to_string(axis) + " of " + shapeToString(in) +
                              ": its size is not 1");
            drop[static_cast<size_t>(axis)] = true;
        }
    }
    Shape out;
    for (size_t k = 0; k < in.size(); ++k)
        if (!drop[k]) out.push_back(in[k]);
    return setReshaped(c, 0, std::move(out));
}

Status unsqueezeRule(ShapeContext& c) {
    bool fromAttr = opsetBefore(c, 13);
    IS_RETURN_IF_ERROR(checkArity(c, fromAttr ? 1 : 2, fromAttr ? 1 : 2, 1));
    std::vector<int64_t> axes;
    if (fromAttr)
        axes = c.node().attrInts("axes");
    else
        IS_RETURN_IF_ERROR(readInts(c, 1, "axes", axes));
    const Shape& in = c.inputShape(0);
    auto outRank = static_cast<int64_t>(in.size() + axes.size());
    IS_RETURN_IF_ERROR(normalizeAxes(c, axes, outRank));
    std::vector<bool> inserted(static_cast<size_t>(outRank), false);
    for (int64_t axis : axes) inserted[static_cast<size_t>(axis)] = true;
    Shape out;
    size_t next = 0;
    for (int64_t k = 0; k < outRank; ++k) out.push_back(inserted[static_cast<size_t>(k)] ? 1 : in[next++]);
    return setReshaped(c, 0, std::move(out));
}

// ---------------------------------------------------------------- concat / split

Status concatRule(ShapeContext& c) {
    if (c.inputCount() == 0) return c.fail("needs at least one input");
    IS_RETURN_IF_ERROR(checkArity(c, c.inputCount(), c.inputCount(), 1));
    Shape out = c.inputShape(0);
    auto rank = static_cast<int64_t>(out.size());
    if (rank == 0) return c.fail("cannot concatenate scalars");
    if (!opsetBefore(c, 4) && !c.node().hasAttr("axis")) return c.fail("attribute 'axis' is missing");
    int64_t axis;
    IS_RETURN_IF_ERROR(readAxis(c, opsetBefore(c, 4) ? 1 : 0, rank, axis));
    auto a = static_cast<size_t>(axis);
    out[a] = 0;
    for (size_t i = 0; i < c.inputCount(); ++i) {
        const Shape& s = c.inputShape(i);
        bool fits = s.size() == out.size();
        for (size_t k = 0; fits && k < s.size(); ++k) fits = k == a || s[k] == out[k];
        if (!fits)
            return c.fail("input " + std::to_string(i) + " " + shapeToString(s) + " does not match " +
                          shapeToString(c.inputShape(0)) + " outside axis " + std::to_string(axis));
        if (!checkedAdd(out[a], s[a], out[a])) return c.fail("concatenated size overflows");
    }
    IS_RETURN_IF_ERROR(checkShape(c, out, "output"));
    DataType dtype = c.inputType(0);
    bool foldable = allKnown(c) && fitsFold(c, out) && isMovableType(dtype);
    for (size_t i = 0; foldable && i < c.inputCount(); ++i) foldable = knownValue(c, i)->dtype == dtype;
    if (!foldable) return setChecked(c, 0, dtype, out);

    // Each input contributes a block of dim * inner elements per outer index.
    int64_t outer = 1, inner = 1;
    for (size_t k = 0; k < out.size(); ++k) (k < a ? outer : inner) *= k == a ? 1 : out[k];
    TensorData result = TensorData::zeros(dtype, out);
    size_t size = dataTypeSize(dtype);
    int64_t at = 0;
    for (int64_t o = 0; o < outer; ++o) {
        for (size_t i = 0; i < c.inputCount(); ++i) {
            const TensorData* x = knownValue(c, i);
            int64_t block = x->shape[a] * inner;
            for (int64_t e = 0; e < block; ++e, ++at) {
                int64_t from = o * block + e;
                if (dtype == DataType::String)
                    result.strings[static_cast<size_t>(at)] = x->strings[static_cast<size_t>(from)];
                else
                    std::copy_n(x->bytes.begin() + static_cast<std::ptrdiff_t>(from * static_cast<int64_t>(size)), size,
                                result.bytes.begin() + static_cast<std::ptrdiff_t>(at * static_cast<int64_t>(size)));
            }
        }
    }
    c.setOutputValue(0, std::move(result));
    return Status::ok();
}

Status splitRule(ShapeContext& c) {
    bool fromAttr = opsetBefore(c, 13);
    // Opset 1 Split could also take the sizes as a second input.
    IS_RETURN_IF_ERROR(checkArity(c, 1, 2, kMaxElements));
    size_t n = c.outputCount();
    if (n == 0) return c.fail("has no outputs");
    const Shape& in = c.inputShape(0);
    int64_t axis;
    IS_RETURN_IF_ERROR(readAxis(c, 0, static_cast<int64_t>(in.size()), axis));
    int64_t dim = in[static_cast<size_t>(axis)];
    std::vector<int64_t> sizes;
    if (c.hasInput(1))
        IS_RETURN_IF_ERROR(readInts(c, 1, "split", sizes));
    else if (fromAttr)
        sizes = c.node().attrInts("split");
    if (!sizes.empty()) {
        if (sizes.size() != n)
            return c.fail("split has " + std::to_string(sizes.size()) + " sizes for " + std::to_string(n) + " outputs");
        int64_t sum = 0;
        for (int64_t s : sizes)
            if (s < 0 || !checkedAdd(sum, s, sum)) return c.fail("split sizes must be >= 0");
        if (sum != dim)
            return c.fail("split sizes add up to " + std::to_string(sum) + ", not the axis size " +
                          std::to_string(dim));
    } else if (c.node().hasAttr("num_outputs")) {
        // Opset 18: chunks of ceil(dim / n), the last one smaller.
        int64_t parts = c.node().attrInt("num_outputs", 0);
        if (parts < 1 || static_cast<size_t>(parts) != n)
            return c.fail("num_outputs " + std::to_string(parts) + " does not match " + std::to_string(n) + " outputs");
        int64_t chunk = dim / parts + (dim % parts != 0 ? 1 : 0);
        int64_t left = dim;
        for (size_t k = 0; k < n; ++k) {
            sizes.push_back(std::min(chunk, left));
            left -= sizes.back();
        }
    } else {
        if (dim % static_cast<int64_t>(n) != 0)
            return c.fail("axis size " + std::to_string(dim) + " does not split evenly into " + std::to_string(n) +
                          " outputs");
        sizes.assign(n, dim / static_cast<int64_t>(n));
    }
    Shape inStrides = stridesOf(in);
    int64_t offset = 0;
    for (size_t k = 0; k < n; ++k) {
        Shape out = in;
        out[static_cast<size_t>(axis)] = sizes[k];
        int64_t base = offset * inStrides[static_cast<size_t>(axis)];
        IS_RETURN_IF_ERROR(setGathered(c, k, out, [&] { return stridedIndex(out, base, inStrides); }));
        offset += sizes[k];
    }
    return Status::ok();
}

// ---------------------------------------------------------------- slice

Status sliceRule(ShapeContext& c) {
    bool fromAttr = opsetBefore(c, 10);
    IS_RETURN_IF_ERROR(checkArity(c, fromAttr ? 1 : 3, fromAttr ? 1 : 5, 1));
    std::vector<int64_t> starts, ends, axes, steps;
    if (fromAttr) {
        if (!c.node().hasAttr("starts") || !c.node().hasAttr("ends"))
            return c.fail("attributes 'starts' and 'ends' are required");
        starts = c.node().attrInts("starts");
        ends = c.node().attrInts("ends");
        axes = c.node().attrInts("axes");
    } else {
        IS_RETURN_IF_ERROR(readInts(c, 1, "starts", starts));
        IS_RETURN_IF_ERROR(readInts(c, 2, "ends", ends));
        if (c.hasInput(3)) IS_RETURN_IF_ERROR(readInts(c, 3, "axes", axes));
        if (c.hasInput(4)) IS_RETURN_IF_ERROR(readInts(c, 4, "steps", steps));
    }
    const Shape& in = c.inputShape(0);
    auto rank = static_cast<int64_t>(in.size());
    if (starts.size() != ends.size())
        return c.fail("starts and ends have different lengths (" + std::to_string(starts.size()) + " and " +
                      std::to_string(ends.size()) + ")");
    if (axes.empty() && !(c.hasInput(3) && !fromAttr))
        for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
    if (steps.empty() && !(c.hasInput(4) && !fromAttr)) steps.assign(starts.size(), 1);
    if (axes.size() != starts.size() || steps.size() != starts.size())
        return c.fail("starts, ends, axes and steps must have the same length");
    IS_RETURN_IF_ERROR(normalizeAxes(c, axes, rank));

    Shape out = in;
    Shape first(in.size(), 0), step(in.size(), 1);
    for (size_t k = 0; k < axes.size(); ++k) {
        auto a = static_cast<size_t>(axes[k]);
        int64_t dim = in[a], s = steps[k], begin = starts[k], end = ends[k];
        if (s == 0) return c.fail("slice step on axis " + std::to_string(a) + " is 0");
        if (dim == 0) {
            out[a] = 0;
            continue;
        }
        if (begin < 0) begin += dim;
        if (end < 0) end += dim;
        // Clamp as the spec says: forward steps to [0, dim], backward steps
        // start at most at dim - 1 and may end at -1 (before the first).
        if (s > 0) {
            begin = std::clamp<int64_t>(begin, 0, dim);
            end = std::clamp<int64_t>(end, 0, dim);
        } else {
            begin = std::clamp<int64_t>(begin, 0, std::max<int64_t>(dim - 1, 0));
            end = std::clamp<int64_t>(end, -1, dim - 1);
        }
        int64_t distance = s > 0 ? end - begin : begin - end;
        int64_t stride = s > 0 ? s : (s == INT64_MIN ? INT64_MAX : -s);
        out[a] = distance <= 0 ? 0 : (distance - 1) / stride + 1;
        first[a] = begin;
        step[a] = s;
    }
    Shape inStrides = stridesOf(in);
    return setGathered(c, 0, out, [&] {
        int64_t base = 0;
        Shape move(in.size());
        for (size_t k = 0; k < in.size(); ++k) {
            base += first[k] * inStrides[k];
            // |step| < dim whenever the axis has more than one output element.
            move[k] = out[k] > 1 ? step[k] * inStrides[k] : 0;
        }
        return stridedIndex(out, base, move);
    });
}

// ---------------------------------------------------------------- gathers

Status gatherRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 2, 1));
    const Shape& data = c.inputShape(0);
    const Shape& indices = c.inputShape(1);
    if (data.empty()) return c.fail("cannot gather from a scalar");
    int64_t axis;
    IS_RETURN_IF_ERROR(readAxis(c, 0, static_cast<int64_t>(data.size()), axis));
    auto a = static_cast<size_t>(axis);
    Shape out(data.begin(), data.begin() + axis);
    out.insert(out.end(), indices.begin(), indices.end());
    out.insert(out.end(), data.begin() + axis + 1, data.end());
    IS_RETURN_IF_ERROR(checkShape(c, out, "output"));

    const TensorData* idx = knownValue(c, 1);
    if (!idx || !knownValue(c, 0) || !fitsFold(c, out) || !isIntegerType(idx->dtype))
        return setChecked(c, 0, c.inputType(0), out);
    int64_t dim = data[a];
    int64_t count = idx->elementCount();
    std::vector<int64_t> picks(static_cast<size_t>(count));
    for (int64_t j = 0; j < count; ++j) {
        int64_t v = readInt(*idx, j);
        if (v < -dim || v >= dim)
            return c.fail("index " + std::to_string(v) + " is out of range for axis " + std::to_string(axis) +
                          " of size " + std::to_string(dim));
        picks[static_cast<size_t>(j)] = v < 0 ? v + dim : v;
    }
    int64_t outer = 1, inner = 1;
    for (size_t k = 0; k < data.size(); ++k)
        if (k != a) (k < a ? outer : inner) *= data[k];
    return setGathered(c, 0, out, [&] {
        std::vector<int64_t> index;
        index.reserve(static_cast<size_t>(outer * count * inner));
        for (int64_t o = 0; o < outer; ++o)
            for (int64_t j = 0; j < count; ++j)
                for (int64_t i = 0; i < inner; ++i)
                    index.push_back((o * dim + picks[static_cast<size_t>(j)]) * inner + i);
        return index;
    });
}

Status gatherElementsRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 2, 1));
    if (c.inputRank(0) < 1 || c.inputRank(0) != c.inputRank(1))
        return c.fail("data " + shapeToString(c.inputShape(0)) + " and indices " + shapeToString(c.inputShape(1)) +
                      " must have the same rank >= 1");
    int64_t axis;
    IS_RETURN_IF_ERROR(readAxis(c, 0, c.inputRank(0), axis));
    return setChecked(c, 0, c.inputType(0), c.inputShape(1));
}

Status gatherNdRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 2, 1));
    const Shape& data = c.inputShape(0);
    const Shape& indices = c.inputShape(1);
    int64_t batch = c.node().attrInt("batch_dims", 0);
    auto r = static_cast<int64_t>(data.size());
    auto q = static_cast<int64_t>(indices.size());
    if (r < 1 || q < 1) return c.fail("data and indices must have rank >= 1");
    if (batch < 0 || batch >= std::min(r, q)) return c.fail("batch_dims " + std::to_string(batch) + " is out of range");
    for (int64_t k = 0; k < batch; ++k)
        if (data[static_cast<size_t>(k)] != indices[static_cast<size_t>(k)])
            return c.fail("batch dims of data " + shapeToString(data) + " and indices " + shapeToString(indices) +
                          " differ");
    int64_t last = indices.back();
    if (last < 1 || last > r - batch)
        return c.fail("indices' last dim " + std::to_string(last) + " must be in [1, " + std::to_string(r - batch) +
                      "]");
    Shape out(indices.begin(), indices.end() - 1);
    out.insert(out.end(), data.begin() + batch + last, data.end());
    return setChecked(c, 0, c.inputType(0), out);
}

// Scatter, ScatterElements, ScatterND: the output is the data, updated.
Status scatterRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 3, 3, 1));
    if (c.node().opType != "ScatterND" && c.inputShape(1) != c.inputShape(2))
        return c.fail("indices " + shapeToString(c.inputShape(1)) + " and updates " + shapeToString(c.inputShape(2)) +
                      " must have the same shape");
    if (c.node().opType != "ScatterND" && c.inputRank(1) != c.inputRank(0))
        return c.fail("indices and data must have the same rank");
    if (c.node().opType == "ScatterND" && (c.inputRank(1) < 1 || c.inputShape(1).back() > c.inputRank(0)))
        return c.fail("indices " + shapeToString(c.inputShape(1)) + " do not fit data " +
                      shapeToString(c.inputShape(0)));
    return setChecked(c, 0, c.inputType(0), c.inputShape(0));
}

// ---------------------------------------------------------------- transpose / pad

Status transposeRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    const Shape& in = c.inputShape(0);
    std::vector<int64_t> perm = c.node().attrInts("perm");
    if (!c.node().hasAttr("perm"))
        for (size_t k = in.size(); k-- > 0;) perm.push_back(static_cast<int64_t>(k));
    if (perm.size() != in.size())
        return c.fail("perm has " + std::to_string(perm.size()) + " entries for rank " + std::to_string(in.size()));
    std::vector<bool> seen(in.size(), false);
    for (int64_t p : perm) {
        if (p < 0 || p >= static_cast<int64_t>(in.size()) || seen[static_cast<size_t>(p)])
            return c.fail("perm " + shapeToString(perm) + " is not a permutation");
        seen[static_cast<size_t>(p)] = true;
    }
    Shape out(in.size()), move(in.size());
    Shape inStrides = stridesOf(in);
    for (size_t k = 0; k < in.size(); ++k) {
        out[k] = in[static_cast<size_t>(perm[k])];
        move[k] = inStrides[static_cast<size_t>(perm[k])];
    }
    return setGathered(c, 0, out, [&] { return stridedIndex(out, 0, move); });
}

Status padRule(ShapeContext& c) {
    bool fromAttr = opsetBefore(c, 11);
    IS_RETURN_IF_ERROR(checkArity(c, fromAttr ? 1 : 2, fromAttr ? 1 : 4, 1));
    std::string mode = c.node().attrString("mode", "constant");
    if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
        return c.fail("unknown pad mode '" + mode + "'");
    std::vector<int64_t> pads, axes;
    if (fromAttr)
        pads = c.node().attrInts(c.node().hasAttr("pads") ? "pads" : "paddings");
    else
        IS_RETURN_IF_ERROR(readInts(c, 1, "pads", pads));
    const Shape& in = c.inputShape(0);
    auto rank = static_cast<int64_t>(in.size());
    if (c.hasInput(3)) {
        IS_RETURN_IF_ERROR(readInts(c, 3, "axes", axes));
        IS_RETURN_IF_ERROR(normalizeAxes(c, axes, rank));
    } else {
        for (int64_t k = 0; k < rank; ++k) axes.push_back(k);
    }
    if (pads.size() != 2 * axes.size())
        return c.fail("pads has " + std::to_string(pads.size()) + " values, " + std::to_string(2 * axes.size()) +
                      " expected (begin and end for each axis)");
    Shape out = in;
    for (size_t k = 0; k < axes.size(); ++k) {
        auto a = static_cast<size_t>(axes[k]);
        // Negative pads crop; the result must not go below zero.
        if (!checkedAdd(out[a], pads[k], out[a]) || !checkedAdd(out[a], pads[k + axes.size()], out[a]) || out[a] < 0)
            return c.fail("pads " + shapeToString(pads) + " make axis " + std::to_string(a) + " of " +
                          shapeToString(in) + " negative or absurd");
    }
    return setChecked(c, 0, c.inputType(0), out);
}

// ---------------------------------------------------------------- resize

}  // namespace

namespace rules {

// The rules this family gives the op table (ops/op_table.cpp).
const ShapeRule reshape = &reshapeRule;
const ShapeRule flatten = &flattenRule;
const ShapeRule squeeze = &squeezeRule;
const ShapeRule unsqueeze = &unsqueezeRule;
const ShapeRule concat = &concatRule;
const ShapeRule split = &splitRule;
const ShapeRule slice = &sliceRule;
const ShapeRule gather = &gatherRule;
const ShapeRule gatherElements = &gatherElementsRule;
const ShapeRule gatherNd = &gatherNdRule;
const ShapeRule scatter = &scatterRule;
const ShapeRule transpose = &transposeRule;
const ShapeRule pad = &padRule;

}  // namespace rules

}  // namespace interstage::shapes
