#include "cpu/kernel.h"

#include <algorithm>

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

namespace {

const KernelTable& table() {
    static const KernelTable kernels = [] {
        KernelTable t;
        registerNnKernels(t);
        registerElementwiseKernels(t);
        registerTensorKernels(t);
        return t;
    }();
    return kernels;
}

}  // namespace

KernelFactory findKernel(const std::string& opType) {
    auto it = table().find(opType);
    return it == table().end() ? nullptr : it->second;
}

std::vector<std::string> supportedOps() {
    std::vector<std::string> ops;
    for (const auto& [name, factory] : table()) ops.push_back(name);
    std::sort(ops.begin(), ops.end());
    return ops;
}

}  // namespace interstage::cpu
