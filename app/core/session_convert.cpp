#include "core/session_convert.h"

#include <memory>

#include "interstage/export_facts.h"

namespace appcore {

interstage::SavedRunSet toSavedRunSet(const RunSetResult& result) {
    interstage::SavedRunSet saved;
    saved.setId = result.setId;
    saved.label = result.config.label().toStdString();
    saved.options = result.config.session;
    saved.options.observer = nullptr;  // the live set's forwarder: gone with its worker
    saved.runsRequested = result.config.runs;
    saved.inputs = result.config.inputs;
    saved.budget = result.budget;
    saved.runs.reserve(result.runs.size());
    for (const auto& run : result.runs) saved.runs.push_back(*run);
    saved.lowerBoundBytes = result.lowerBoundBytes;
    saved.executedLowerBoundBytes = result.executedLowerBoundBytes;
    saved.aliasedLowerBoundBytes = result.aliasedLowerBoundBytes;
    saved.weightBytes = result.weightBytes;
    saved.plannedPeakBytes = result.plannedPeakBytes;
    saved.memoryMap = result.memoryMap;
    saved.executedNodeNames = result.executedNodeNames;
    saved.executedNodeOps = result.executedNodeOps;
    saved.executedValueNames = result.executedValueNames;
    saved.planTensors = result.planTensors;
    if (result.peak) saved.peak = *result.peak;
    saved.error = result.error.toStdString();
    saved.cancelled = result.cancelled;
    return saved;
}

RunSetResult fromSavedRunSet(const interstage::SavedRunSet& saved) {
    RunSetResult result;
    result.setId = saved.setId;
    result.config.session = saved.options;
    result.config.session.observer = nullptr;
    result.config.runs = saved.runsRequested;
    result.config.inputs = saved.inputs;
    result.budget = saved.budget;
    result.runs.reserve(saved.runs.size());
    for (const auto& run : saved.runs) result.runs.push_back(std::make_shared<const interstage::RunStats>(run));
    result.lowerBoundBytes = saved.lowerBoundBytes;
    result.executedLowerBoundBytes = saved.executedLowerBoundBytes;
    result.aliasedLowerBoundBytes = saved.aliasedLowerBoundBytes;
    result.weightBytes = saved.weightBytes;
    result.plannedPeakBytes = saved.plannedPeakBytes;
    result.memoryMap = saved.memoryMap;
    if (!result.runs.empty()) result.bodyMemory = bodyBlocks(*result.runs.back());
    result.executedNodeNames = saved.executedNodeNames;
    result.executedNodeOps = saved.executedNodeOps;
    result.executedValueNames = saved.executedValueNames;
    result.planTensors = saved.planTensors;
    // A file from before the explanation was saved: none (the Peak tab
    // then shows the map's peak).
    if (saved.peak.peakStep >= 0) result.peak = std::make_shared<const interstage::PeakExplanation>(saved.peak);
    result.error = QString::fromStdString(saved.error);
    result.cancelled = saved.cancelled;
    return result;
}

std::vector<interstage::SavedRunSet> toSavedRunSets(const std::vector<RunSetResult>& results) {
    std::vector<interstage::SavedRunSet> saved;
    saved.reserve(results.size());
    for (const RunSetResult& r : results) saved.push_back(toSavedRunSet(r));
    return saved;
}

interstage::ModelFacts modelFactsOf(const ModelDocument& document) {
    return interstage::modelFactsFrom(document.summary, document.resolved,
                                      document.model ? document.model->producerName : std::string());
}

std::vector<RunSetResult> fromSavedRunSets(const std::vector<interstage::SavedRunSet>& saved) {
    std::vector<RunSetResult> results;
    results.reserve(saved.size());
    for (const auto& s : saved) results.push_back(fromSavedRunSet(s));
    return results;
}

}  // namespace appcore
