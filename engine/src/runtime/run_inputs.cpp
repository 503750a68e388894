#include "runtime/run_inputs.h"

#include <algorithm>
#include <set>
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
    // A sequence input travels as its elements "x[0]", "x[1]", ...: a
    // caller who gives some of them means a sequence of that length, so a
    // missing element is refused rather than quietly generated.
    auto sequenceOf = [](const std::string& name) -> std::string {
        if (name.empty() || name.back() != ']') return {};
        const size_t open = name.rfind('[');
        if (open == std::string::npos || open == 0 || open + 2 >= name.size()) return {};
        const std::string digits = name.substr(open + 1, name.size() - open - 2);
        if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return {};
        return name.substr(0, open);
    };
    std::set<std::string> givenSequences;
    for (const auto& [name, value] : inputs)
        if (std::string base = sequenceOf(name); !base.empty()) givenSequences.insert(base);
    for (ValueId id : file.runtimeInputs()) {
        const Value& v = file.value(id);
        if (inputs.count(v.name)) continue;
        if (std::string base = sequenceOf(v.name); !base.empty() && givenSequences.count(base))
            return invalidArgument("sequence input '" + base + "' has an element '" + v.name +
                                   "' in this session that was not given; a session keeps the sequence lengths it "
                                   "was created with");
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
