// What a pin or an in-place rule costs at the peak: the model planned again
// with it gone, by a Session created and dropped without a run (its
// kernels decide workspace and in-place writes as the explained session's
// do, so the two peaks differ by the pin or the rule alone).
#include <algorithm>

#include "runtime/peak_explain_parts.h"

namespace interstage {
namespace {

PeakCost costOf(const std::string& name, const Model& model, SessionOptions options, std::size_t withBytes,
                bool addsWhenOff) {
    options.observer = nullptr;
    PeakCost cost;
    cost.name = name;
    auto other = Session::create(model, options);
    if (!other.ok()) {
        cost.error = other.status().toString();
        return cost;
    }
    const auto with = static_cast<std::int64_t>(withBytes);
    const auto without = static_cast<std::int64_t>(planPeakBytesOf(*other.value()));
    cost.bytes = addsWhenOff ? without - with : with - without;
    return cost;
}

}  // namespace

std::vector<PeakCost> pinCosts(const Model& model, const SessionOptions& options, std::size_t peakBytes) {
    std::vector<PeakCost> costs;
    for (const std::string& pin : options.keep) {
        SessionOptions without = options;
        without.keep.erase(std::remove(without.keep.begin(), without.keep.end(), pin), without.keep.end());
        costs.push_back(costOf(pin, model, without, peakBytes, false));
    }
    return costs;
}

// Only the rules that act: the planning modes on the CPU (the default mode
// gives every tensor its own buffer; Vulkan plans every tensor apart).
std::vector<PeakCost> inPlaceCosts(const Model& model, const SessionOptions& options, std::size_t peakBytes) {
    std::vector<PeakCost> costs;
    if (options.mode.keepsEveryTensor() || options.backend != "cpu") return costs;
    if (options.inPlaceConcat) {
        SessionOptions off = options;
        off.inPlaceConcat = false;
        costs.push_back(costOf("in-place Concat", model, off, peakBytes, true));
    }
    if (options.inPlaceOps) {
        SessionOptions off = options;
        off.inPlaceOps = false;
        costs.push_back(costOf("in-place ops", model, off, peakBytes, true));
    }
    return costs;
}

}  // namespace interstage
