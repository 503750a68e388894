// Shape rules for the loss ops NegativeLogLikelihoodLoss and
// SoftmaxCrossEntropyLoss: scores N x C x d1..dk, targets N x d1..dk, the
// loss N x d1..dk (reduction none) or a scalar, SCE's log_prob like the scores.
#include <string>

#include "model/fold_util.h"
#include "model/shape_rules.h"

namespace interstage::shapes {

namespace {

using namespace fold;

// The loss output (0) after checking what both ops share.
Status lossRule(ShapeContext& c) {
    const std::string reduction = c.node().attrString("reduction", "mean");
    if (reduction != "none" && reduction != "sum" && reduction != "mean")
        // An attribute no input shape can fix: the session refuses the model at once.
        return invalidModel("node '" + c.node().name + "' (" + c.node().opType + "): reduction '" + reduction +
                            "' is not none, sum or mean");
    if (c.inputRank(0) < 2)
        return c.fail("scores must have rank >= 2 (N x C x ...), not " + shapeToString(c.inputShape(0)));
    const DataType targetType = c.inputType(1);
    if (targetType != DataType::Int32 && targetType != DataType::Int64)
        return c.fail(std::string("target must be int32 or int64, not ") + dataTypeName(targetType));
    Shape perPosition = c.inputShape(0);
    perPosition.erase(perPosition.begin() + 1);
    if (c.inputShape(1) != perPosition)
        return c.fail("target " + shapeToString(c.inputShape(1)) + " does not match scores " +
                      shapeToString(c.inputShape(0)) + " without the class axis");
    if (c.hasInput(2) && c.inputShape(2) != Shape{c.inputShape(0)[1]})
        return c.fail("weights " + shapeToString(c.inputShape(2)) + " must hold one value per class (" +
                      std::to_string(c.inputShape(0)[1]) + ")");
    return setChecked(c, 0, c.inputType(0), reduction == "none" ? perPosition : Shape{});
}

Status nllLossRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 3, 1));
    return lossRule(c);
}

Status softmaxCrossEntropyLossRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 2, 3, 2));
    IS_RETURN_IF_ERROR(lossRule(c));
    return setChecked(c, 1, c.inputType(0), c.inputShape(0));
}

}  // namespace

namespace rules {
const ShapeRule nllLoss = &nllLossRule;
const ShapeRule softmaxCrossEntropyLoss = &softmaxCrossEntropyLossRule;
}  // namespace rules

}  // namespace interstage::shapes
