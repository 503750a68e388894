#include "model/subgraph_shapes.h"

#include "model/shape_pass.h"

namespace interstage {
namespace {

Status bindInput(Value& v, const BodyInput& given) {
    if (!v.isTensor) return unsupported("body input '" + v.name + "' is not a tensor");
    if (v.dtype != DataType::Undefined && v.dtype != given.dtype)
        return invalidModel("body input '" + v.name + "' is declared " + dataTypeName(v.dtype) + ", but gets " +
                            dataTypeName(given.dtype));
    v.dtype = given.dtype;
    v.shape = given.shape;
    v.shapeResolved = true;
    v.constant = given.value;
    return Status::ok();
}

Status bindOuter(Value& v, const Graph& outer) {
    const ValueId id = outer.find(v.name);
    if (id == kNoValue) return invalidModel("the enclosing graph has no value '" + v.name + "'");
    const Value& from = outer.value(id);
    if (!from.isTensor) return unsupported("outer value '" + v.name + "' is not a tensor");
    if (!from.shapeResolved) return shapeError("outer value '" + v.name + "' has no shape");
    v.dtype = from.dtype;
    v.shape = from.shape;
    v.shapeResolved = true;
    v.constant = from.constant;
    return Status::ok();
}

}  // namespace

Result<Graph> resolveBody(const Graph& body, const std::vector<BodyInput>& inputs, const Graph& outer,
                          const ShapeOptions& options) {
    Graph resolved = body;
    const std::vector<ValueId> formal = resolved.runtimeInputs();
    if (formal.size() != inputs.size())
        return invalidModel("the body takes " + std::to_string(formal.size()) + " inputs, but is given " +
                            std::to_string(inputs.size()));
    for (size_t i = 0; i < formal.size(); ++i) IS_RETURN_IF_ERROR(bindInput(resolved.value(formal[i]), inputs[i]));
    for (Value& v : resolved.values)
        if (v.fromOuterScope) IS_RETURN_IF_ERROR(bindOuter(v, outer));
    ShapeOptions strict = options;
    strict.keepGoing = false;
    ShapeReport report;
    IS_RETURN_IF_ERROR(resolveNodeShapes(resolved, strict, report));
    for (ValueId id : resolved.outputs)
        if (!resolved.value(id).shapeResolved)
            return shapeError("body output '" + resolved.value(id).name + "' has no shape");
    return resolved;
}

}  // namespace interstage
