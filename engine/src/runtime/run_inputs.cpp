#include "runtime/run_inputs.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "cpu/kernel.h"
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
    std::vector<std::pair<std::string, std::string>> missing;  // op, first node
    int nodes = 0;
    for (const Node& node : graph.nodes) {
        if (node.domain.empty() && cpu::findKernel(node.opType)) continue;
        if (producesOnlyWeights(graph, node)) continue;
        ++nodes;
        std::string op = (node.domain.empty() ? "" : node.domain + ".") + node.opType;
        if (std::none_of(missing.begin(), missing.end(), [&](const auto& m) { return m.first == op; }))
            missing.emplace_back(op, node.name);
    }
    if (missing.empty()) return Status::ok();
    std::string list;
    for (const auto& [op, node] : missing) list += (list.empty() ? "" : ", ") + op + " (first at node '" + node + "')";
    return unsupported("the " + backend + " backend does not support " + list + "; " + std::to_string(nodes) +
                       " nodes in all");
}

}  // namespace interstage
