// Shape rules for the random ops: RandomUniform, RandomNormal (shape from
// the attribute), their *Like forms (shape of the input), Bernoulli and
// Multinomial. Outputs are never folded, even with a seed: a random value
// frozen into the plan would hide the node's memory and work.
#include <string>
#include <vector>

#include "model/fold_util.h"
#include "model/shape_rules.h"

namespace interstage::shapes {

namespace {

using namespace fold;

// dtype of a random output: the attribute when given, else the fallback;
// must be a floating type (the values are real numbers).
Status floatDtype(const ShapeContext& c, DataType fallback, DataType& dtype) {
    int64_t t = c.node().attrInt("dtype", static_cast<int64_t>(fallback));
    if (t <= 0 || t > 64 || !isKnownDataType(static_cast<int32_t>(t)) || !isFloatingType(static_cast<DataType>(t)))
        return c.fail("attribute 'dtype' (" + std::to_string(t) + ") must name a floating point type");
    dtype = static_cast<DataType>(t);
    return Status::ok();
}

Status randomFromAttributeRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 0, 0, 1));
    if (!c.node().hasAttr("shape")) return c.fail("attribute 'shape' is missing");
    Shape shape = c.node().attrInts("shape");
    for (int64_t d : shape)
        if (d < 0) return c.fail("attribute 'shape' holds the negative dim " + std::to_string(d));
    DataType dtype;
    IS_RETURN_IF_ERROR(floatDtype(c, DataType::Float, dtype));
    return setChecked(c, 0, dtype, shape);
}

Status randomLikeRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    DataType dtype;
    // Without the attribute the output takes the input's dtype, which must
    // then be a floating one.
    IS_RETURN_IF_ERROR(floatDtype(c, c.inputType(0), dtype));
    return setChecked(c, 0, dtype, c.inputShape(0));
}

Status bernoulliRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    if (!isFloatingType(c.inputType(0))) return c.fail("input must hold floating point probabilities");
    int64_t t = c.node().attrInt("dtype", static_cast<int64_t>(c.inputType(0)));
    if (t <= 0 || t > 64 || !isKnownDataType(static_cast<int32_t>(t)) || !isFoldableType(static_cast<DataType>(t)))
        return c.fail("attribute 'dtype' (" + std::to_string(t) + ") must name a numeric or bool type");
    return setChecked(c, 0, static_cast<DataType>(t), c.inputShape(0));
}

Status multinomialRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    const Shape& in = c.inputShape(0);
    if (in.size() != 2) return c.fail("input must be [batch, classes], not " + shapeToString(in));
    if (!isFloatingType(c.inputType(0))) return c.fail("input must hold floating point log-probabilities");
    int64_t samples = c.node().attrInt("sample_size", 1);
    if (samples < 1) return c.fail("attribute 'sample_size' " + std::to_string(samples) + " must be at least 1");
    int64_t t = c.node().attrInt("dtype", static_cast<int64_t>(DataType::Int32));
    if (t != static_cast<int64_t>(DataType::Int32) && t != static_cast<int64_t>(DataType::Int64))
        return c.fail("attribute 'dtype' (" + std::to_string(t) + ") must be int32 (6) or int64 (7)");
    return setChecked(c, 0, static_cast<DataType>(t), Shape{in[0], samples});
}

}  // namespace

namespace rules {

// The rules this family gives the op table (ops/op_table.cpp).
const ShapeRule randomFromAttribute = &randomFromAttributeRule;
const ShapeRule randomLike = &randomLikeRule;
const ShapeRule bernoulli = &bernoulliRule;
const ShapeRule multinomial = &multinomialRule;

}  // namespace rules

}  // namespace interstage::shapes
