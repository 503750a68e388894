#include "runtime/run_inputs.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "cpu/kernel.h"
#include "interstage/op_support.h"
#include "interstage/session.h"
#include "runtime/cpu_executor.h"

namespace interstage {

Result<std::map<std::string, TensorData>> runInputs(const Graph& file, const std::map<std::string, TensorData>& given,
                                                    const InputShapes& preparedShapes) {
    std::map<std::string, TensorData> inputs;
    for (const auto& [name, value] : given) {
        ValueId id = file.find(name);
        if (id == kNoValue || !file.value(id).isGraphInput || file.value(id).isInitializer)
            return invalidArgument("the model has no input named '" + name + "'");
        if (file.value(id).dtype != value.dtype)
            return invalidArgument("input '" + name + "' must be " + dataTypeName(file.value(id).dtype) + ", not " +
                                   dataTypeName(value.dtype));
        inputs[name] = value;
    }
    for (ValueId id : file.runtimeInputs()) {
        const Value& v = file.value(id);
        if (inputs.count(v.name)) continue;
        auto shape = preparedShapes.find(v.name);
        inputs.emplace(v.name, defaultInput(v.dtype, shape != preparedShapes.end() ? shape->second : Shape{}));
    }
    return inputs;
}

Status checkOpsSupported(const Graph& graph, const std::string& backend) {
    const OpSupport support = opSupport(graph);
    if (support.runnable()) return Status::ok();
    return unsupported("the " + backend + " backend does not support " + describeGaps(graph, support.noCpuKernel) +
                       "; " + std::to_string(support.unsupportedNodes.size()) + " nodes in all");
}

}  // namespace interstage
