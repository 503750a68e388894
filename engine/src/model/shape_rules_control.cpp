// Shape rules for the control-flow ops If, Loop and Scan: each resolves
// its bodies (model/subgraph_shapes.h) with the dtypes and shapes the node
// hands them and takes its outputs from the bodies' outputs. An If whose
// condition is known before running resolves to that branch alone (and
// passes folded values on, as shape-only branches need); otherwise both
// branches must agree. A Loop's scan outputs need its trip count.
#include <string>

#include "model/fold_util.h"
#include "model/shape_rules.h"
#include "model/subgraph_shapes.h"

namespace interstage::shapes {

namespace {

using namespace fold;

// An error from a body, kept in its kind (a bad model stays a bad model)
// and prefixed with the node and the body.
Status inBody(const ShapeContext& c, const std::string& body, const Status& status) {
    return Status(status.code(),
                  "node '" + c.node().name + "' (" + c.node().opType + "), " + body + ": " + status.message());
}

// "1 input", "3 inputs".
std::string counted(size_t n, const std::string& what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); }

Status invalidNode(const ShapeContext& c, const std::string& why) {
    return invalidModel("node '" + c.node().name + "' (" + c.node().opType + "): " + why);
}

Result<const Graph*> bodyOf(const ShapeContext& c, const char* attr) {
    const Graph* body = c.node().subgraph(attr);
    if (!body) return invalidNode(c, std::string("has no '") + attr + "' graph attribute");
    return body;
}

Result<Graph> resolveIn(const ShapeContext& c, const char* attr, const Graph& body,
                        const std::vector<BodyInput>& inputs) {
    auto resolved = resolveBody(body, inputs, c.graph(), c.options());
    if (!resolved.ok()) return inBody(c, attr, resolved.status());
    return resolved;
}

// A one-element bool input (If's condition, Loop's cond), when present.
Status checkScalar(const ShapeContext& c, size_t i, DataType type, const char* role) {
    if (!c.hasInput(i)) return Status::ok();
    if (c.inputType(i) != type)
        return invalidNode(c,
                           std::string(role) + " is " + dataTypeName(c.inputType(i)) + ", not " + dataTypeName(type));
    const auto count = elementCount(c.inputShape(i));
    if (!count || *count != 1)
        return c.fail(std::string(role) + " must hold one element, not " + shapeToString(c.inputShape(i)));
    return Status::ok();
}

// The known value of a one-element input; false when unknown.
bool knownScalar(const ShapeContext& c, size_t i, int64_t& out) {
    const TensorData* value = knownValue(c, i);
    if (!value || value->elementCount() != 1) return false;
    out = readInt(*value, 0);
    return true;
}

// The node's outputs from a resolved body's. Folded values pass on only
// when every output folds: the node is then removed like any folded node,
// and none of its outputs is left half known.
Status takeOutputs(ShapeContext& c, const Graph& body) {
    bool allFold = true;
    for (ValueId id : body.outputs) {
        const Value& v = body.value(id);
        allFold = allFold && v.constant && v.constant->elementCount() <= c.options().maxFoldElements;
    }
    for (size_t i = 0; i < body.outputs.size(); ++i) {
        const Value& v = body.value(body.outputs[i]);
        if (allFold)
            c.setOutputValue(i, *v.constant);
        else
            IS_RETURN_IF_ERROR(setChecked(c, i, v.dtype, v.shape));
    }
    return Status::ok();
}

// An If whose condition is only known at run time, with one branch that
// cannot take these shapes (a detector's 8 kHz branch given a 16 kHz
// frame): the run can only go the other way, so its shapes are the node's,
// and the user is told. A malformed branch is still an error.
Status takeTheBranchThatFits(ShapeContext& c, const Result<Graph>& thenResolved, const Result<Graph>& elseResolved) {
    const bool thenFits = thenResolved.ok();
    const Status& failed = thenFits ? elseResolved.status() : thenResolved.status();
    if (failed.code() != StatusCode::ShapeError) return failed;
    const Graph& fits = thenFits ? thenResolved.value() : elseResolved.value();
    for (size_t i = 0; i < fits.outputs.size(); ++i) {
        const Value& v = fits.value(fits.outputs[i]);
        IS_RETURN_IF_ERROR(setChecked(c, i, v.dtype, v.shape));
    }
    // The message names this node already (inBody): keep from the body on.
    std::string why = failed.message();
    const std::string prefix = "node '" + c.node().name + "' (" + c.node().opType + "), ";
    if (why.rfind(prefix, 0) == 0) why = why.substr(prefix.size());
    c.note(std::string("shapes from ") + (thenFits ? "then_branch" : "else_branch") +
           "; a run that takes the other branch fails, as it cannot take these shapes: " + why);
    return Status::ok();
}

Status ifShapeRule(ShapeContext& c) {
    IS_RETURN_IF_ERROR(checkArity(c, 1, 1, c.outputCount()));
    IS_RETURN_IF_ERROR(checkScalar(c, 0, DataType::Bool, "the condition"));
    IS_ASSIGN_OR_RETURN(const Graph* thenBody, bodyOf(c, "then_branch"));
    IS_ASSIGN_OR_RETURN(const Graph* elseBody, bodyOf(c, "else_branch"));
    const size_t count = thenBody->outputs.size();
    if (elseBody->outputs.size() != count)
        return invalidNode(c, "the branches give different numbers of outputs (then_branch " + std::to_string(count) +
                                  ", else_branch " + std::to_string(elseBody->outputs.size()) + ")");
    if (count != c.outputCount())
        return invalidNode(c, "the branches give " + std::to_string(count) + " outputs, the node has " +
                                  std::to_string(c.outputCount()));
    for (size_t i = 0; i < count; ++i) {
        const DataType a = thenBody->value(thenBody->outputs[i]).dtype;
        const DataType b = elseBody->value(elseBody->outputs[i]).dtype;
        if (a != DataType::Undefined && b != DataType::Undefined && a != b)
            return invalidNode(c, "output " + std::to_string(i) + " is " + dataTypeName(a) + " in then_branch but " +
                                      dataTypeName(b) + " in else_branch");
    }
    int64_t condition = 0;
    if (knownScalar(c, 0, condition)) {
        // Known before running: only the branch taken matters (the other
        // may not even resolve for these inputs, as in models that switch
        // on the sample rate).
        const char* taken = condition ? "then_branch" : "else_branch";
        IS_ASSIGN_OR_RETURN(Graph branch, resolveIn(c, taken, condition ? *thenBody : *elseBody, {}));
        return takeOutputs(c, branch);
    }
    auto thenResolved = resolveIn(c, "then_branch", *thenBody, {});
    auto elseResolved = resolveIn(c, "else_branch", *elseBody, {});
    if (thenResolved.ok() != elseResolved.ok()) return takeTheBranchThatFits(c, thenResolved, elseResolved);
    IS_RETURN_IF_ERROR(thenResolved.status());
    IS_RETURN_IF_ERROR(elseResolved.status());
    const Graph& thenGraph = thenResolved.value();
    const Graph& elseGraph = elseResolved.value();
    for (size_t i = 0; i < count; ++i) {
        const Value& a = thenGraph.value(thenGraph.outputs[i]);
        const Value& b = elseGraph.value(elseGraph.outputs[i]);
        if (a.dtype != b.dtype)
            return invalidNode(c, "output " + std::to_string(i) + " is " + dataTypeName(a.dtype) +
                                      " in then_branch but " + dataTypeName(b.dtype) + " in else_branch");
        if (a.shape != b.shape)
            return c.fail("output " + std::to_string(i) + " is " + shapeToString(a.shape) + " in then_branch but " +
                          shapeToString(b.shape) + " in else_branch: the branches differ; known at run time");
        IS_RETURN_IF_ERROR(setChecked(c, i, a.dtype, a.shape));
    }
    return Status::ok();
}

// Whether the body's condition output is its condition input passed on
// (directly or through Identity) or a constant true: then the loop runs
// exactly its trip count.
bool bodyKeepsGoing(const Graph& body) {
    const ValueId out = body.outputs[0];
    const ValueId in = body.runtimeInputs()[1];
    if (out == in) return true;
    const Value& v = body.value(out);
    // Only a constant of the body itself: a value folded from the first
    // iteration's inputs says nothing about later iterations.
    if (v.isWeight() && v.constant && v.constant->elementCount() == 1) return readInt(*v.constant, 0) != 0;
    if (v.producer == kNoNode) return false;
    const Node& producer = body.nodes[static_cast<size_t>(v.producer)];
    return producer.opType == "Identity" && producer.input(0) == in;
}

Status loopRule(ShapeContext& c) {
    if (c.inputCount() < 2) return invalidNode(c, "needs the inputs M and cond (either may be empty)");
    const size_t carried = c.inputCount() - 2;
    if (c.outputCount() < carried)
        return invalidNode(c, "has " + std::to_string(carried) + " carried values but only " +
                                  std::to_string(c.outputCount()) + " outputs");
    const size_t scans = c.outputCount() - carried;
    for (size_t i = 2; i < c.inputCount(); ++i)
        if (!c.hasInput(i)) return invalidNode(c, "carried value " + std::to_string(i - 2) + " is omitted");
    IS_RETURN_IF_ERROR(checkScalar(c, 0, DataType::Int64, "the trip count M"));
    IS_RETURN_IF_ERROR(checkScalar(c, 1, DataType::Bool, "the condition"));
    IS_ASSIGN_OR_RETURN(const Graph* body, bodyOf(c, "body"));
    if (body->runtimeInputs().size() != 2 + carried || body->outputs.size() != 1 + carried + scans)
        return invalidNode(c, "the body takes " + counted(body->runtimeInputs().size(), "input") + " and gives " +
                                  counted(body->outputs.size(), "output") + "; this Loop needs " +
                                  std::to_string(2 + carried) + " inputs (iteration, condition, " +
                                  std::to_string(carried) + " carried) and " + std::to_string(1 + carried + scans) +
                                  " outputs (condition, carried, " + std::to_string(scans) + " scanned)");
    std::vector<BodyInput> inputs{{DataType::Int64, {}, nullptr}, {DataType::Bool, {}, nullptr}};
    for (size_t i = 0; i < carried; ++i) inputs.push_back({c.inputType(2 + i), c.inputShape(2 + i), nullptr});
    auto first = resolveIn(c, "body", *body, inputs);
    if (!first.ok() && first.status().code() == StatusCode::ShapeError) {
        // Shapes that depend on the iteration (a Slice at the iteration
        // number) are planned from the first iteration's values; the kernel
        // checks every later iteration against the plan.
        inputs[0].value = std::make_shared<const TensorData>(TensorData::fromInt64({0}, {}));
        TensorData yes = TensorData::zeros(DataType::Bool, {});
        yes.bytes[0] = std::byte{1};
        inputs[1].value = std::make_shared<const TensorData>(std::move(yes));
        for (size_t i = 0; i < carried; ++i)
            if (const TensorData* initial = knownValue(c, 2 + i))
                inputs[2 + i].value = std::make_shared<const TensorData>(*initial);
        first = resolveIn(c, "body", *body, inputs);
    }
    IS_ASSIGN_OR_RETURN(Graph resolved, std::move(first));
    if (resolved.value(resolved.outputs[0]).dtype != DataType::Bool)
        return invalidNode(c, "the body's first output (the condition) is " +
                                  std::string(dataTypeName(resolved.value(resolved.outputs[0]).dtype)) + ", not bool");
    for (size_t i = 0; i < carried; ++i) {
        const Value& out = resolved.value(resolved.outputs[1 + i]);
        if (out.dtype != c.inputType(2 + i))
            return invalidNode(c, "carried value '" + out.name + "' goes in as " + dataTypeName(c.inputType(2 + i)) +
                                      " but comes out of the body as " + dataTypeName(out.dtype));
        if (out.shape != c.inputShape(2 + i))
            return c.fail("carried value '" + out.name + "' goes in as " + shapeToString(c.inputShape(2 + i)) +
                          " but comes out of the body as " + shapeToString(out.shape) +
                          ": its shape changes from one iteration to the next");
        IS_RETURN_IF_ERROR(setChecked(c, i, out.dtype, out.shape));
    }
    if (scans == 0) return Status::ok();
    int64_t trips = 0, condition = 1;
    const bool tripsKnown = c.hasInput(0) && knownScalar(c, 0, trips);
    const bool conditionKnown = !c.hasInput(1) || knownScalar(c, 1, condition);
    if (!tripsKnown || !conditionKnown || (condition && !bodyKeepsGoing(resolved)))
        return c.fail("the number of iterations is known only at run time, and so is the shape of its scan outputs");
    if (!condition || trips < 0) trips = 0;
    for (size_t k = 0; k < scans; ++k) {
        const Value& out = resolved.value(resolved.outputs[1 + carried + k]);
        Shape stacked{trips};
        stacked.insert(stacked.end(), out.shape.begin(), out.shape.end());
        IS_RETURN_IF_ERROR(setChecked(c, carried + k, out.dtype, stacked));
    }
    return Status::ok();
}

// Scan's per-input attribute list: `count` entries, `fallback` when absent.
Status listAttr(const ShapeContext& c, const char* name, size_t count, std::vector<int64_t>& out) {
    out = c.node().attrInts(name);
    if (out.empty() && !c.node().hasAttr(name)) out.assign(count, 0);
    if (out.size() != count)
        return invalidNode(c, std::string(name) + " has " + std::to_string(out.size()) + " entries, expected " +
                                  std::to_string(count));
    return Status::ok();
}

// Both Scan forms: `states` carried values and `scanned` sequences in, the
// states and the scan outputs out, and a body with exactly that signature.
Result<const Graph*> scanBody(const ShapeContext& c, size_t states, size_t scanned) {
    if (c.outputCount() < states)
        return invalidNode(c, "has " + std::to_string(states) + " state values but only " +
                                  std::to_string(c.outputCount()) + " outputs");
    const size_t scanOutputs = c.outputCount() - states;
    IS_ASSIGN_OR_RETURN(const Graph* body, bodyOf(c, "body"));
    if (body->runtimeInputs().size() != states + scanned || body->outputs.size() != states + scanOutputs)
        return invalidNode(c, "the body takes " + counted(body->runtimeInputs().size(), "input") + " and gives " +
                                  counted(body->outputs.size(), "output") + "; this Scan needs " +
                                  std::to_string(states + scanned) + " inputs and " +
                                  std::to_string(states + scanOutputs) + " outputs");
    return body;
}

// Scan before opset 9: input 0 is sequence_lens, every other input and
// output has a leading batch axis, scan inputs and outputs run along axis 1.
Status scanBatchedRule(ShapeContext& c) {
    const int64_t scanInputs = c.node().attrInt("num_scan_inputs", -1);
    if (c.inputCount() < 2 || scanInputs < 1 || static_cast<size_t>(scanInputs) > c.inputCount() - 1)
        return invalidNode(c, "num_scan_inputs " + std::to_string(scanInputs) + " must be between 1 and the " +
                                  std::to_string(c.inputCount() - 1) + " inputs after sequence_lens");
    if (c.hasInput(0)) return c.fail("sequence_lens is not supported (every sequence runs to its full length)");
    const size_t scanned = static_cast<size_t>(scanInputs), states = c.inputCount() - 1 - scanned;
    IS_ASSIGN_OR_RETURN(const Graph* body, scanBody(c, states, scanned));
    const size_t scanOutputs = c.outputCount() - states;
    int64_t batch = -1, length = -1;
    std::vector<BodyInput> inputs;
    for (size_t i = 1; i < c.inputCount(); ++i) {
        const bool scanInput = i > states;
        const Shape& shape = c.inputShape(i);
        if (!c.hasInput(i) || shape.size() < (scanInput ? 2u : 1u))
            return c.fail("input " + std::to_string(i) + " needs a batch axis" +
                          (scanInput ? " and a sequence axis" : ""));
        if ((batch >= 0 && shape[0] != batch) || (scanInput && length >= 0 && shape[1] != length))
            return c.fail("the inputs' batch or sequence lengths differ");
        batch = shape[0];
        if (scanInput) length = shape[1];
        inputs.push_back({c.inputType(i), Shape(shape.begin() + (scanInput ? 2 : 1), shape.end()), nullptr});
    }
    IS_ASSIGN_OR_RETURN(Graph resolved, resolveIn(c, "body", *body, inputs));
    for (size_t k = 0; k < states + scanOutputs; ++k) {
        const Value& out = resolved.value(resolved.outputs[k]);
        if (k < states && (out.dtype != inputs[k].dtype || out.shape != inputs[k].shape))
            return invalidNode(c, "state value '" + out.name + "' changes dtype or shape in the body");
        Shape stacked = k < states ? Shape{batch} : Shape{batch, length};
        stacked.insert(stacked.end(), out.shape.begin(), out.shape.end());
        IS_RETURN_IF_ERROR(setChecked(c, k, out.dtype, stacked));
    }
    return Status::ok();
}

Status scanRule(ShapeContext& c) {
    if (opsetBefore(c, 9)) return scanBatchedRule(c);
    const int64_t scanInputs = c.node().attrInt("num_scan_inputs", -1);
    if (scanInputs < 1 || static_cast<size_t>(scanInputs) > c.inputCount())
        return invalidNode(c, "num_scan_inputs " + std::to_string(scanInputs) + " must be between 1 and the " +
                                  std::to_string(c.inputCount()) + " inputs");
    const size_t scanned = static_cast<size_t>(scanInputs), states = c.inputCount() - scanned;
    IS_ASSIGN_OR_RETURN(const Graph* body, scanBody(c, states, scanned));
    const size_t scanOutputs = c.outputCount() - states;
    std::vector<int64_t> inAxes, outAxes;
    IS_RETURN_IF_ERROR(listAttr(c, "scan_input_axes", scanned, inAxes));
    IS_RETURN_IF_ERROR(listAttr(c, "scan_output_axes", scanOutputs, outAxes));
    std::vector<BodyInput> inputs;
    for (size_t i = 0; i < states; ++i) inputs.push_back({c.inputType(i), c.inputShape(i), nullptr});
    int64_t length = -1;
    for (size_t j = 0; j < scanned; ++j) {
        const size_t i = states + j;
        if (!c.hasInput(i)) return invalidNode(c, "scan input " + std::to_string(j) + " is omitted");
        Shape slice = c.inputShape(i);
        int64_t axis = inAxes[j];
        if (!normalizeAxis(axis, static_cast<int64_t>(slice.size())))
            return c.fail("scan_input_axes " + std::to_string(inAxes[j]) + " is out of range for " +
                          shapeToString(slice));
        if (length >= 0 && slice[static_cast<size_t>(axis)] != length)
            return c.fail("the scan inputs have different lengths (" + std::to_string(length) + " and " +
                          std::to_string(slice[static_cast<size_t>(axis)]) + ")");
        length = slice[static_cast<size_t>(axis)];
        slice.erase(slice.begin() + axis);
        inputs.push_back({c.inputType(i), slice, nullptr});
    }
    IS_ASSIGN_OR_RETURN(Graph resolved, resolveIn(c, "body", *body, inputs));
    for (size_t i = 0; i < states; ++i) {
        const Value& out = resolved.value(resolved.outputs[i]);
        if (out.dtype != c.inputType(i) || out.shape != c.inputShape(i))
            return invalidNode(c, "state value '" + out.name + "' goes in as " + dataTypeName(c.inputType(i)) + " " +
                                      shapeToString(c.inputShape(i)) + " but comes out of the body as " +
                                      dataTypeName(out.dtype) + " " + shapeToString(out.shape));
        IS_RETURN_IF_ERROR(setChecked(c, i, out.dtype, out.shape));
    }
    for (size_t k = 0; k < scanOutputs; ++k) {
        const Value& out = resolved.value(resolved.outputs[states + k]);
        Shape stacked = out.shape;
        int64_t axis = outAxes[k];
        if (!normalizeAxis(axis, static_cast<int64_t>(stacked.size()) + 1))
            return c.fail("scan_output_axes " + std::to_string(outAxes[k]) + " is out of range for rank " +
                          std::to_string(stacked.size() + 1));
        stacked.insert(stacked.begin() + axis, length);
        IS_RETURN_IF_ERROR(setChecked(c, states + k, out.dtype, stacked));
    }
    return Status::ok();
}

}  // namespace

namespace rules {

// The rules this family gives the op table (ops/op_table.cpp).
const ShapeRule ifRule = &ifShapeRule;
const ShapeRule loop = &loopRule;
const ShapeRule scan = &scanRule;

}  // namespace rules

}  // namespace interstage::shapes
