#include "runtime/memory_budget.h"

#include "interstage/format.h"

namespace interstage {

bool fitsBudget(const PlannedPeak& peak, const MemoryBudget& budget) {
    return budget.bytes == 0 || peak.total() <= budget.bytes;
}

std::string budgetBytesText(std::size_t bytes) {
    const bool rounded = bytes >= 1024 && bytes < (1u << 20);  // "B" is exact already
    return formatBytes(double(bytes)) + (rounded ? " (" + std::to_string(bytes) + " bytes)" : "");
}

std::string budgetText(const MemoryBudget& budget) {
    return "the memory budget of " + budgetBytesText(budget.bytes) +
           (budget.source.empty() ? "" : " (" + budget.source + ")");
}

Status budgetRefusal(const PlannedPeak& peak, const MemoryBudget& budget, const std::string& modeName,
                     const std::vector<FittingPreset>& fitting) {
    std::string message = "the " + modeName + " plan needs " + budgetBytesText(peak.total()) + " (activations " +
                          budgetBytesText(peak.tensors) + ", weights " + budgetBytesText(peak.weights) +
                          ", workspace " + budgetBytesText(peak.workspace) + ", inputs " +
                          budgetBytesText(peak.inputs) + "), more than " + budgetText(budget) + "; ";
    message += budget.automatic ? "set a budget with --max-memory, reduce the input"
                                : "raise the budget (--max-memory), reduce the input";
    if (fitting.empty()) {
        message += ", or free memory: no preset's plan fits";
    } else {
        message += ", or use a preset whose plan fits: ";
        for (size_t i = 0; i < fitting.size(); ++i)
            message += (i ? ", " : "") + fitting[i].name + " (" + formatBytes(double(fitting[i].bytes)) + ")";
    }
    return Status(StatusCode::OutOfMemory, message);
}

}  // namespace interstage
