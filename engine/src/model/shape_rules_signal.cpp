// Shape rules for the signal ops (DFT, STFT, the windows, MelWeightMatrix,
// TfIdfVectorizer). Their output sizes come from input values (DFT length,
// frame step, window size, bin counts): the rules read them when they are
// known before running (weights, folded constants, or the run's own inputs
// when the session resolves per run) and otherwise fail naming the input.
// The outputs are never folded: they are real work for the kernels.
#include <algorithm>
#include <string>
#include <vector>

#include "model/fold_util.h"
#include "model/shape_rules.h"

namespace interstage::shapes {

namespace {

using namespace fold;

// Reads one integer from a known scalar (or one-element) input.
Status readCount(const ShapeContext& c, size_t i, const std::string& role, int64_t& out) {
    std::vector<int64_t> values;
    IS_RETURN_IF_ERROR(readInts(c, i, role, values));
    if (values.size() != 1)
        return c.fail("the " + role + " input '" + c.input(i).name + "' must hold one value, not " +
                      std::to_string(values.size()));
    out = values[0];
    return Status::ok();
}

// The attribute output_datatype (windows, MelWeightMatrix): a numeric type.
Status outputDatatype(const ShapeContext& c, DataType& dtype) {
    int64_t t = c.node().attrInt("output_datatype", static_cast<int64_t>(DataType::Float));
    if (t <= 0 || t > 64 || !isKnownDataType(static_cast<int32_t>(t)) || !isFoldableType(static_cast<DataType>(t)))
        return c.fail("attribute 'output_datatype' (" + std::to_string(t) + ") is not a numeric data type");
    dtype = static_cast<DataType>(t);
    return Status::ok();
}

// Last dim of a DFT / STFT signal: 1 (real) or 2 (real, imaginary).
Status checkComplexDim(const ShapeContext& c, const Shape& in) {
    if (in.size() < 2) return c.fail("input must have rank >= 2, not " + shapeToString(in));
    if (in.back() != 1 && in.back() != 2)
        return c.fail("the last dim of input " + shapeToString(in) + " must be 1 (real) or 2 (complex)");
    if (!isFloatingType(c.inputType(0))) return c.fail("input must be a floating point tensor");
    return Status::ok();
}

// ---------------------------------------------------------------- DFT

Status dftRule(ShapeContext& c) {
    const bool axisIsInput = !opsetBefore(c, 20);
    IS_RETURN_IF_ERROR(checkArity(c, 1, axisIsInput ? 3 : 2, 1));
    const Shape& in = c.inputShape(0);
    IS_RETURN_IF_ERROR(checkComplexDim(c, in));
    const auto rank = static_cast<int64_t>(in.size());
    int64_t axis = axisIsInput ? -2 : c.node().attrInt("axis", 1);
    if (axisIsInput && c.hasInput(2)) IS_RETURN_IF_ERROR(readCount(c, 2, "axis", axis));
    const int64_t given = axis;
    if (axis < 0) axis += rank;
    // The last dim holds the complex parts: it cannot be transformed.
    if (axis < 0 || axis > rank - 2)
        return c.fail("axis " + std::to_string(given) + " is out of range for input " + shapeToString(in));
    const bool inverse = c.node().attrInt("inverse", 0) != 0;
    const bool onesided = c.node().attrInt("onesided", 0) != 0;
    const int64_t along = in[static_cast<size_t>(axis)];
    int64_t length = inverse && onesided ? 2 * (along - 1) : along;
    if (c.hasInput(1)) IS_RETURN_IF_ERROR(readCount(c, 1, "dft_length", length));
    if (length < 1) return c.fail("dft_length " + std::to_string(length) + " must be at least 1");
    Shape out = in;
    if (inverse && onesided) {
        // A one-sided spectrum back to a real signal (irfft): real output.
        out[static_cast<size_t>(axis)] = length;
        out.back() = 1;
    } else {
        out[static_cast<size_t>(axis)] = onesided ? length / 2 + 1 : length;
        out.back() = 2;
    }
    return setChecked(c, 0, c.inputType(0), out);
}

// ---------------------------------------------------------------- STFT

Status stftRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 4, 1));
    const Shape& in = c.inputShape(0);
    IS_RETURN_IF_ERROR(checkComplexDim(c, in));
    if (in.size() != 3) return c.fail("signal must be [batch, length, 1 or 2], not " + shapeToString(in));
    int64_t step = 0;
    IS_RETURN_IF_ERROR(readCount(c, 1, "frame_step", step));
    if (step < 1) return c.fail("frame_step " + std::to_string(step) + " must be at least 1");
    int64_t frameLength = -1;
    if (c.hasInput(2)) {
        const Shape& window = c.inputShape(2);
        if (window.size() != 1) return c.fail("window must be 1-D, not " + shapeToString(window));
        frameLength = window[0];
    }
    if (c.hasInput(3)) {
        int64_t given = 0;
        IS_RETURN_IF_ERROR(readCount(c, 3, "frame_length", given));
        if (frameLength >= 0 && given != frameLength)
            return c.fail("frame_length " + std::to_string(given) + " differs from the window's length " +
                          std::to_string(frameLength));
        frameLength = given;
    }
    if (frameLength < 0) frameLength = in[1];  // neither given: one frame of the whole signal
    if (frameLength < 1 || frameLength > in[1])
        return c.fail("frame length " + std::to_string(frameLength) + " must be in [1, " + std::to_string(in[1]) +
                      "] (the signal's length)");
    const bool onesided = c.node().attrInt("onesided", 1) != 0;
    const int64_t frames = 1 + (in[1] - frameLength) / step;
    const int64_t bins = onesided ? frameLength / 2 + 1 : frameLength;
    return setChecked(c, 0, c.inputType(0), Shape{in[0], frames, bins, 2});
}

// ---------------------------------------------------------------- windows

Status windowRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    int64_t size = 0;
    IS_RETURN_IF_ERROR(readCount(c, 0, "size", size));
    if (size < 0) return c.fail("size " + std::to_string(size) + " is negative");
    DataType dtype;
    IS_RETURN_IF_ERROR(outputDatatype(c, dtype));
    return setChecked(c, 0, dtype, Shape{size});
}

Status melWeightMatrixRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 5, 5, 1));
    int64_t melBins = 0, dftLength = 0;
    IS_RETURN_IF_ERROR(readCount(c, 0, "num_mel_bins", melBins));
    IS_RETURN_IF_ERROR(readCount(c, 1, "dft_length", dftLength));
    if (melBins < 1) return c.fail("num_mel_bins " + std::to_string(melBins) + " must be at least 1");
    if (dftLength < 1) return c.fail("dft_length " + std::to_string(dftLength) + " must be at least 1");
    DataType dtype;
    IS_RETURN_IF_ERROR(outputDatatype(c, dtype));
    return setChecked(c, 0, dtype, Shape{dftLength / 2 + 1, melBins});
}

// ---------------------------------------------------------------- TfIdfVectorizer

Status tfIdfVectorizerRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    const Shape& in = c.inputShape(0);
    if (in.size() > 2) return c.fail("input must be [C] or [N, C], not " + shapeToString(in));
    const std::vector<int64_t> indexes = c.node().attrInts("ngram_indexes");
    if (indexes.empty()) return c.fail("attribute 'ngram_indexes' is missing or empty");
    const int64_t width = *std::max_element(indexes.begin(), indexes.end()) + 1;
    if (*std::min_element(indexes.begin(), indexes.end()) < 0)
        return c.fail("attribute 'ngram_indexes' holds a negative index");
    Shape out = in.size() == 2 ? Shape{in[0], width} : Shape{width};
    return setChecked(c, 0, DataType::Float, out);
}

}  // namespace

namespace rules {

// The rules this family gives the op table (ops/op_table.cpp).
const ShapeRule dft = &dftRule;
const ShapeRule stft = &stftRule;
const ShapeRule window = &windowRule;
const ShapeRule melWeightMatrix = &melWeightMatrixRule;
const ShapeRule tfIdfVectorizer = &tfIdfVectorizerRule;

}  // namespace rules

}  // namespace interstage::shapes
