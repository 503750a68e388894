#include "cpu/kernel.h"

#include <algorithm>

#include "ops/op_table.h"

namespace interstage::cpu {

int64_t TensorView::count() const {
    auto n = elementCount(shape);
    return n ? *n : 0;
}

Status PrepareContext::unsupportedHere(const std::string& why) const {
    return unsupported("node '" + node_.name + "' (" + node_.opType + "): " + why);
}

Status PrepareContext::invalidHere(const std::string& why) const {
    return invalidModel("node '" + node_.name + "' (" + node_.opType + "): " + why);
}

KernelFactory findKernel(const std::string& opType) {
    const ops::OpEntry* op = ops::findOp(opType);
    return op ? op->cpu : nullptr;
}

KernelFactory findKernel(const Node& node) {
    const ops::OpEntry* op = ops::findOp(node);
    return op ? op->cpu : nullptr;
}

std::vector<std::string> supportedOps() {
    std::vector<std::string> names;
    for (const ops::OpEntry& op : ops::allOps())
        if (op.cpu) names.push_back(op.name);
    return names;  // the table is sorted by name
}

}  // namespace interstage::cpu
