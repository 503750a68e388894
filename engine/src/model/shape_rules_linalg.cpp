// Shape rules for Det (the batch dims of a stack of square matrices) and
// Einsum (the equation parsed against the operands' shapes, so a malformed
// equation fails here, before any run).
#include <string>
#include <vector>

#include "model/fold_util.h"
#include "model/shape_rules.h"
#include "ops/einsum_equation.h"

namespace interstage::shapes {

namespace {

using namespace fold;

Status detRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, 1));
    const Shape& x = c.inputShape(0);
    if (x.size() < 2 || x[x.size() - 1] != x[x.size() - 2])
        return c.fail("input " + shapeToString(x) + " is not a stack of square matrices");
    return setChecked(c, 0, c.inputType(0), Shape(x.begin(), x.end() - 2));
}

Status einsumRule(ShapeContext& c) {
    if (c.inputCount() == 0) return c.fail("needs at least one input");
    IS_RETURN_IF_ERROR(checkArity(c, c.inputCount(), c.inputCount(), 1));
    if (!c.node().hasAttr("equation"))
        return invalidModel("node '" + c.node().name + "' (" + c.node().opType + "): attribute equation is missing");
    std::vector<Shape> shapes;
    for (size_t i = 0; i < c.inputCount(); ++i) {
        if (c.inputType(i) != c.inputType(0)) return c.fail("inputs have different types");
        shapes.push_back(c.inputShape(i));
    }
    auto parsed = ops::parseEinsum(c.node().attrString("equation", ""), shapes);
    // A malformed equation stays InvalidModel, so the session refuses the
    // model at once; a shape misfit is a ShapeError, which other input
    // shapes given at run time may resolve.
    if (!parsed.ok()) {
        const Status& status = parsed.status();
        if (status.code() == StatusCode::ShapeError) return c.fail(status.message());
        return invalidModel("node '" + c.node().name + "' (" + c.node().opType + "): " + status.message());
    }
    return setChecked(c, 0, c.inputType(0), parsed.value().outputShape());
}

}  // namespace

namespace rules {
const ShapeRule det = &detRule;
const ShapeRule einsum = &einsumRule;
}  // namespace rules

}  // namespace interstage::shapes
