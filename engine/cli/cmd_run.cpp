// `interstage-cli run MODEL`: runs a model N times in one memory mode and
// reports per run: time ("processing time 178 ms", as the seed printed it),
// allocations, peak tracked bytes and peak resident memory.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "interstage/export_facts.h"
#include "interstage/huge_page_malloc.h"
#include "interstage/live_peak.h"
#include "interstage/run_json.h"
#include "interstage/tensor_io.h"
#include "interstage/trace.h"
#include "run_options.h"
#include "session_output.h"

namespace interstage::cli {
namespace {

// File-safe name for an output tensor ("a/b" -> "a_b").
std::string fileNameFor(const std::string& name) {
    std::string out = name;
    for (char& c : out)
        if (c == '/' || c == '\\' || c == ':' || c == '\0') c = '_';
    return out.empty() || out == "." || out == ".." ? "output" : out;
}

Status writeText(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    return out ? Status::ok() : Status(StatusCode::IoError, "cannot write '" + path + "'");
}

nlohmann::json executionOrderJson(const Session& session) {
    const Session::ExecutionOrder order = session.executionOrder();
    return {{"memory_aware", session.options().memoryAwareOrder},
            {"nodes_moved", order.nodesMoved},
            {"file_order_peak_bytes", order.fileOrderPeakBytes},
            {"peak_bytes", order.peakBytes}};
}

// The budget the plan was checked against (bytes 0: none).
nlohmann::json budgetJson(const MemoryBudget& budget) {
    return {{"bytes", budget.bytes}, {"source", budget.source}, {"automatic", budget.automatic}};
}

nlohmann::json livePeakJson(const Session& session) {
    const std::vector<TensorPlacement> map = session.memoryMap();
    const LivePeak peak = peakOfLiveTensors(map);
    nlohmann::json tensors = nlohmann::json::array();
    for (std::size_t i : peak.tensors) tensors.push_back({{"name", map[i].name}, {"bytes", map[i].bytes}});
    const Graph& graph = session.executedGraph();
    const bool atNode = peak.step >= 0 && static_cast<size_t>(peak.step) < graph.nodes.size();
    return {{"step", peak.step},
            {"node", atNode ? graph.nodes[static_cast<size_t>(peak.step)].name : std::string()},
            {"bytes", peak.bytes},
            {"tensors", std::move(tensors)}};
}

// "run 2: processing time 190 ms  (peak tracked 77.7 MiB, ...)", as the
// seed printed its runs.
void printRunLine(int r, const RunStats& stats) {
    std::cout << "run " << r << ": processing time " << static_cast<long long>(std::llround(stats.ms))
              << " ms  (peak tracked " << formatBytes(stats.peakTrackedBytes) << ", peak RSS "
              << formatBytes(stats.peakRssBytes) << ", " << stats.allocations << " allocations";
    if (stats.fallbackTransfers)
        std::cout << ", " << stats.fallbackTransfers << " CPU-fallback transfers of "
                  << formatBytes(stats.fallbackBytes);
    if (!stats.deviceHeap.empty()) std::cout << ", device heap peak " << formatBytes(stats.peakDeviceHeapBytes);
    // Freed blocks kept for reuse are resident but hold no tensor: say so,
    // since they are part of the RSS figure beside them.
    if (stats.peakBlockCacheBytes)
        std::cout << ", freed blocks kept for reuse " << formatBytes(stats.peakBlockCacheBytes);
    std::cout << ")" << std::endl;
}

// The outputs (listed in `outputs`) and the pinned tensors, written to
// --save-outputs when given.
Status saveTensors(const Session& session, const RunOptions& o, nlohmann::json& outputs) {
    if (!o.saveOutputs.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(o.saveOutputs, ec);
        if (ec) return Status(StatusCode::IoError, "cannot create folder '" + o.saveOutputs + "': " + ec.message());
    }
    auto save = [&](const std::string& name, const TensorData& value) {
        if (o.saveOutputs.empty()) return Status::ok();
        return writeTensorFile(o.saveOutputs + "/" + fileNameFor(name) + ".pb", name, value);
    };
    for (const auto& name : session.outputNames()) {
        auto value = session.output(name);
        if (!value.ok()) return value.status();
        outputs.push_back({{"name", name}, {"shape", value->shape}});
        IS_RETURN_IF_ERROR(save(name, value.value()));
    }
    for (const auto& name : o.keep) {
        auto value = session.blob(name);
        if (!value.ok()) return withCliFlags(value.status(), name);
        IS_RETURN_IF_ERROR(save(name, value.value()));
    }
    return Status::ok();
}

// The CLI watches its runs as the app does, so that the progress batches
// it reports (progress_batches) are what a live view would have received;
// it also stops them at --timeout (a Loop that never ends, a model far too
// slow), the way the app's Stop does.
class LiveProgress : public RunObserver {
public:
    explicit LiveProgress(double timeoutSeconds) : timeoutSeconds_(timeoutSeconds) {}
    void runStarted(int) override {
        if (started_) return;  // the limit covers all the runs together
        start_ = std::chrono::steady_clock::now();
        started_ = true;
    }
    bool cancelRequested() override {
        if (timeoutSeconds_ <= 0 || !started_) return false;
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
        timedOut_ = timedOut_ || elapsed.count() > timeoutSeconds_;
        return timedOut_;
    }
    bool timedOut() const { return timedOut_; }

private:
    double timeoutSeconds_;
    bool started_ = false;
    bool timedOut_ = false;
    std::chrono::steady_clock::time_point start_;
};

// Where the time to the first result goes before the first run: reading
// the file, and making the session (passes, kernels with their packed
// weights and oneDNN primitives, the plan). The bench adds the first run.
struct SetupTimes {
    double loadMs = 0;
    double sessionMs = 0;
};

double msSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// --json: the run's settings, the session's figures and every run.
Status writeRunJson(const RunOptions& o, const SessionOptions& options, const Session& session, nlohmann::json runs,
                    nlohmann::json outputs, std::size_t rssBeforeLoad, const SetupTimes& setup) {
    nlohmann::json doc = {{"model", o.model},
                          {"backend", o.backend},
                          {"threads", session.threads()},
                          {"mode", options.mode.name()},
                          {"fusion", options.fusion},
                          {"in_place_concat", options.inPlaceConcat},
                          {"in_place_ops", options.inPlaceOps},
                          {"blocked_layout", options.blockedLayout},
                          {"gpu_fp16", options.gpuFp16},
                          {"memory_budget", budgetJson(session.memoryBudget())},
                          {"execution_order", executionOrderJson(session)},
                          {"live_peak", livePeakJson(session)},
                          {"lower_bound_bytes", session.lowerBoundBytes()},
                          {"executed_lower_bound_bytes", session.executedLowerBoundBytes()},
                          {"aliased_lower_bound_bytes", session.aliasedLowerBoundBytes()},
                          {"weight_bytes", session.weightBytes()},
                          {"rss_before_load_bytes", rssBeforeLoad},
                          {"malloc_huge_pages", mallocOnHugePages()},
                          {"load_ms", setup.loadMs},
                          {"session_ms", setup.sessionMs},
                          {"cpu_fallback_nodes", session.cpuFallbackNodes()},
                          {"device_heap_sampled", session.samplesDeviceHeap()},
                          {"runs", std::move(runs)},
                          {"outputs", std::move(outputs)}};
    std::ostringstream text;
    text << std::setw(2) << doc << "\n";
    return writeText(o.json, text.str());
}

}  // namespace

int runRun(Args& args) {
    RunOptions o;
    {
        bool usage = false;
        Status parsed = parseCommandArgs(args, "run", o, usage);
        if (!parsed.isOk()) return usage ? usageError(parsed.message()) : reportError(parsed);
    }

    const std::size_t rssBeforeLoad = processResidentBytes();
    SessionOptions options;
    std::map<std::string, TensorData> inputs;
    Status built = buildSessionOptions(o, options, inputs);
    if (!built.isOk()) return reportError(built);
    LiveProgress live(o.timeoutSeconds);
    options.observer = &live;
    // With --session, a failure is saved too (the set with its error and
    // the runs that finished), so that a refused or broken run opens in
    // the app as the app would have shown it.
    std::vector<RunStats> finished;
    const Session* current = nullptr;
    bool loaded = false;  // a model that does not load leaves nothing to open
    ModelFacts facts;     // the report's cover: known once the model loads
    auto fail = [&](const Status& status) {
        if (o.wantsDocument() && loaded) {
            Status saved = writeSessionOutput(
                o, options.inputShapes,
                {savedRunSet(1, options, o.runs, inputs, current, std::move(finished), status.toString())}, facts);
            if (!saved.isOk()) reportError(saved);
        }
        return reportError(status);
    };
    SetupTimes setup;
    auto clock = std::chrono::steady_clock::now();
    auto model = loadModel(o.model, loadOptionsFor(o));
    setup.loadMs = msSince(clock);
    if (!model.ok()) return fail(model.status());
    loaded = true;
    Status valued = addInputValues(o, model->graph, options, inputs);
    if (!valued.isOk()) return fail(valued);
    if (o.wantsDocument()) facts = modelFactsOf(model.value(), options.inputShapes, options.shapeOptions);
    clock = std::chrono::steady_clock::now();
    auto created = Session::create(model.take(), options);
    setup.sessionMs = msSince(clock);
    if (!created.ok()) return fail(created.status());
    Session& session = *created.value();
    current = &session;
    std::cout << "memory budget: " << describeMemoryBudget(session.memoryBudget()) << std::endl;
    const std::vector<std::string> fallbackNodes = session.cpuFallbackNodes();
    if (!fallbackNodes.empty()) std::cout << describeFallback(fallbackNodes) << std::endl;

    std::vector<RunStats> all;
    nlohmann::json runs = nlohmann::json::array();
    for (int r = 1; r <= o.runs; ++r) {
        RunStats stats;
        Status status = session.run(inputs, &stats);
        if (status.code() == StatusCode::Cancelled && live.timedOut()) {
            std::ostringstream limit;
            limit << o.timeoutSeconds;
            return fail(Status(StatusCode::Cancelled, "run " + std::to_string(r) + " of " + std::to_string(o.runs) +
                                                          " stopped at --timeout " + limit.str() + " s"));
        }
        if (!status.isOk()) return fail(status);
        printRunLine(r, stats);
        runs.push_back(nlohmann::json::parse(runStatsJson(stats, session.samplesDeviceHeap())));
        if (o.wantsDocument()) finished.push_back(stats);
        if (!o.trace.empty()) all.push_back(std::move(stats));
    }

    std::cout << describeLivePeak(session) << "\n" << describeExecutionOrder(session) << std::endl;

    nlohmann::json outputs = nlohmann::json::array();
    Status saved = saveTensors(session, o, outputs);
    if (!saved.isOk()) return reportError(saved);
    if (!o.trace.empty()) {
        Status written = writeText(o.trace, chromeTrace(all, o.model + " (" + options.mode.name() + ")"));
        if (!written.isOk()) return reportError(written);
    }
    if (o.wantsDocument()) {
        Status written = writeSessionOutput(
            o, options.inputShapes, {savedRunSet(1, options, o.runs, inputs, &session, std::move(finished), "")},
            std::move(facts));
        if (!written.isOk()) return reportError(written);
    }
    if (!o.json.empty()) {
        Status written = writeRunJson(o, options, session, std::move(runs), std::move(outputs), rssBeforeLoad, setup);
        if (!written.isOk()) return reportError(written);
    }
    return 0;
}

}  // namespace interstage::cli
