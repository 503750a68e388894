// Shape rules for the recurrent ops LSTM, GRU and RNN. Their outputs are
// activations, never folded. ONNX's own inference leaves the hidden size
// unknown when the attribute is missing and checks none of the weights, so
// the rule reads the hidden size from R when it must and refuses weights
// that disagree with X or with each other, naming the input.
#include <string>

#include "model/fold_util.h"
#include "model/shape_rules.h"

namespace interstage::shapes {

namespace {

using namespace fold;

// Gate blocks stacked in W, R and half of B: LSTM i o f c, GRU z r h, RNN one.
int64_t gateCount(const std::string& opType) {
    if (opType == "LSTM") return 4;
    if (opType == "GRU") return 3;
    return 1;
}

Status expectShape(const ShapeContext& c, size_t i, const char* role, const Shape& expected) {
    if (!c.hasInput(i) || c.inputShape(i) == expected) return Status::ok();
    return c.fail(std::string("input ") + role + " is " + shapeToString(c.inputShape(i)) + ", expected " +
                  shapeToString(expected));
}

Status recurrentRule(ShapeContext& c) {
    const bool lstm = c.node().opType == "LSTM";
    IS_RETURN_IF_ERROR(checkArity(c, 3, lstm ? 8 : 6, lstm ? 3 : 2));
    const std::string direction = c.node().attrString("direction", "forward");
    if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
        return c.fail("direction '" + direction + "' is not forward, reverse or bidirectional");
    const int64_t directions = direction == "bidirectional" ? 2 : 1;
    const int64_t layout = c.node().attrInt("layout", 0);
    if (layout != 0 && layout != 1) return c.fail("layout " + std::to_string(layout) + " is not 0 or 1");
    for (size_t i = 0; i < 3; ++i)
        if (c.inputRank(i) != 3)
            return c.fail("input " + std::to_string(i) + " must be 3-D, not " + shapeToString(c.inputShape(i)));
    const Shape& x = c.inputShape(0);
    const int64_t seq = layout == 0 ? x[0] : x[1];
    const int64_t batch = layout == 0 ? x[1] : x[0];
    const int64_t hidden = c.node().attrInt("hidden_size", c.inputShape(2)[2]);
    if (hidden < 1) return c.fail("hidden_size " + std::to_string(hidden) + " must be positive");
    const int64_t gates = gateCount(c.node().opType);
    IS_RETURN_IF_ERROR(expectShape(c, 1, "W", {directions, gates * hidden, x[2]}));
    IS_RETURN_IF_ERROR(expectShape(c, 2, "R", {directions, gates * hidden, hidden}));
    IS_RETURN_IF_ERROR(expectShape(c, 3, "B", {directions, 2 * gates * hidden}));
    IS_RETURN_IF_ERROR(expectShape(c, 4, "sequence_lens", {batch}));
    if (c.hasInput(4) && c.inputType(4) != DataType::Int32)
        return c.fail(std::string("sequence_lens is ") + dataTypeName(c.inputType(4)) + ", not int32");
    const Shape state = layout == 0 ? Shape{directions, batch, hidden} : Shape{batch, directions, hidden};
    IS_RETURN_IF_ERROR(expectShape(c, 5, "initial_h", state));
    if (lstm) {
        IS_RETURN_IF_ERROR(expectShape(c, 6, "initial_c", state));
        IS_RETURN_IF_ERROR(expectShape(c, 7, "P", {directions, 3 * hidden}));
    }
    const DataType type = c.inputType(0);
    const Shape y = layout == 0 ? Shape{seq, directions, batch, hidden} : Shape{batch, seq, directions, hidden};
    IS_RETURN_IF_ERROR(setChecked(c, 0, type, y));
    for (size_t i = 1; i < c.outputCount(); ++i) IS_RETURN_IF_ERROR(setChecked(c, i, type, state));
    return Status::ok();
}

}  // namespace

namespace rules {

// The rule this family gives the op table (ops/op_table.cpp).
const ShapeRule recurrent = &recurrentRule;

}  // namespace rules

}  // namespace interstage::shapes
