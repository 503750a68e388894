#include "runtime/memory_budget.h"

#include "interstage/format.h"

namespace interstage {

Status checkBudget(const PlannedPeak& peak, std::size_t budget, const std::string& modeName) {
    if (budget == 0 || peak.total() <= budget) return Status::ok();
    // Small plans are told to the byte: a budget that close is a test's.
    auto text = [](std::size_t bytes) {
        return formatBytes(double(bytes)) + (bytes < (1u << 20) ? " (" + std::to_string(bytes) + " bytes)" : "");
    };
    return Status(StatusCode::OutOfMemory, "the " + modeName + " plan needs " + text(peak.total()) + " (weights " +
                                               text(peak.weights) + ", tensors " + text(peak.tensors) + ", workspace " +
                                               text(peak.workspace) + ", inputs " + text(peak.inputs) +
                                               "), more than the budget of " + text(budget) +
                                               "; try the arena or reduce mode");
}

}  // namespace interstage
