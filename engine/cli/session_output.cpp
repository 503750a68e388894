#include "session_output.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "interstage/export_csv.h"
#include "interstage/export_facts.h"

namespace interstage::cli {
namespace {

// "2026-12-06T21:40:00Z"
std::string utcNow() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

}  // namespace

SavedRunSet savedRunSet(int setId, const SessionOptions& options, int runsRequested,
                        const std::map<std::string, TensorData>& inputs, const Session* session,
                        std::vector<RunStats> runs, const std::string& error) {
    SavedRunSet set;
    set.setId = setId;
    set.options = options;
    set.options.observer = nullptr;
    set.label = runSetLabel(options);
    set.runsRequested = runsRequested;
    set.inputs = inputs;
    set.runs = std::move(runs);
    set.error = error;
    if (!session) {
        // No session (refused when created): the budget it was refused
        // under, resolved as Session::create resolves it (the host's: a
        // Vulkan session refused this early never saw its device).
        set.budget = resolveMemoryBudget(options.maxMemoryBytes, options.automaticBudget);
        return set;
    }
    set.budget = session->memoryBudget();
    set.lowerBoundBytes = session->lowerBoundBytes();
    set.executedLowerBoundBytes = session->executedLowerBoundBytes();
    set.aliasedLowerBoundBytes = session->aliasedLowerBoundBytes();
    set.weightBytes = session->weightBytes();
    set.plannedPeakBytes = session->plannedPeakBytes();
    set.memoryMap = session->memoryMap();
    for (const Node& node : session->executedGraph().nodes) set.executedNodeNames.push_back(node.name);
    addExportFacts(set, *session);
    return set;
}

Status writeSessionOutput(const RunOptions& o, const InputShapes& shapes, std::vector<SavedRunSet> sets,
                          ModelFacts facts) {
    SavedSession saved;
    saved.writer = std::string("interstage-cli ") + INTERSTAGE_VERSION;
    saved.savedAt = utcNow();
    auto identity = identifyModel(o.model);
    if (!identity.ok()) return identity.status();
    saved.model = identity.take();
    saved.inputShapes = shapes;
    saved.facts = std::move(facts);
    saved.runSets = std::move(sets);
    if (!o.csv.empty()) {
        IS_RETURN_IF_ERROR(writeCsvExports(o.csv, saved));
        std::cout << "CSV tables written to " << o.csv << " (sets, plan, node_times, events, rss)" << std::endl;
    }
    if (o.session.empty()) return Status::ok();
    IS_RETURN_IF_ERROR(writeSessionFile(o.session, saved));
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(o.session, ec);
    std::cout << "session written to " << o.session << " (" << (ec ? 0 : (bytes + 1023) / 1024) << " KiB)" << std::endl;
    return Status::ok();
}

}  // namespace interstage::cli
