// `interstage-cli compare MODEL`: every memory mode, each in a fresh
// process (so resident memory starts clean), in one table: peak tracked
// bytes, peak RSS, weights held at run time against the file's, activations
// against the lower bound, allocations per steady run, first run and steady
// median times.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "interstage/model_info.h"
#include "interstage/run_summary.h"
#include "run_options.h"
#include "session_output.h"

extern char** environ;

namespace interstage::cli {
namespace {

std::string tempPath(const std::string& tag) {
    return "/tmp/interstage-compare-" + std::to_string(getpid()) + "-" + tag;
}

// Runs this executable with args; stdout discarded, stderr kept in errFile.
int spawnSelf(const std::vector<std::string>& args, const std::string& errFile) {
    std::vector<char*> argv;
    std::string self = "/proc/self/exe";
    argv.push_back(self.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return -1;
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string readAll(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A child run's failure as the child said it ("interstage-cli: invalid
// argument: ..."): the same kind and text, the mode named, the program
// not twice. A child that died without a word is an internal error.
Status childError(const char* mode, int rc, std::string err) {
    while (!err.empty() && err.back() == '\n') err.pop_back();
    const std::string program = "interstage-cli: ";
    if (err.rfind(program, 0) == 0) err = err.substr(program.size());
    for (int c = static_cast<int>(StatusCode::InvalidArgument); c <= static_cast<int>(StatusCode::DeviceLost); ++c) {
        const std::string kind = std::string(statusCodeName(static_cast<StatusCode>(c))) + ": ";
        if (err.rfind(kind, 0) == 0)
            return Status(static_cast<StatusCode>(c), "mode " + std::string(mode) + ": " + err.substr(kind.size()));
    }
    return Status(StatusCode::Internal,
                  "mode " + std::string(mode) + " failed: " + (err.empty() ? "exit " + std::to_string(rc) : err));
}

// Runs one mode in a child process (`run --json`) and reads its document.
Result<nlohmann::json> runMode(const RunOptions& o, const char* mode) {
    std::vector<std::string> runArgs = {"run", o.model, "--mode", mode, "--json", tempPath("run.json")};
    auto child = childArguments(o);
    runArgs.insert(runArgs.end(), child.begin(), child.end());
    // The child saves its run set (also a failed one) for --session.
    if (!o.session.empty()) runArgs.insert(runArgs.end(), {"--session", tempPath("session")});
    const std::string errFile = tempPath("stderr");
    const int rc = spawnSelf(runArgs, errFile);
    std::string err = readAll(errFile);
    std::remove(errFile.c_str());
    if (rc != 0) return childError(mode, rc, err);
    nlohmann::json doc = nlohmann::json::parse(readAll(tempPath("run.json")), nullptr, false);
    std::remove(tempPath("run.json").c_str());
    if (doc.is_discarded()) return Status(StatusCode::Internal, "mode " + std::string(mode) + ": unreadable result");
    return doc;
}

// The run set a child saved (--session), as set `setId`; one made here
// from the configuration and the error when the child saved none.
SavedRunSet childRunSet(const RunOptions& o, const char* mode, int setId, const SessionOptions& checked,
                        const std::map<std::string, TensorData>& inputs, const Status& failure) {
    auto read = readSessionFile(tempPath("session"));
    std::remove(tempPath("session").c_str());
    if (read.ok() && read->runSets.size() == 1) {
        SavedRunSet set = std::move(read->runSets[0]);
        set.setId = setId;
        if (!failure.isOk()) set.error = failure.toString();
        return set;
    }
    SessionOptions options = checked;
    auto parsed = MemoryMode::parse(mode);
    if (parsed.ok()) options.mode = parsed.value();
    return savedRunSet(setId, options, o.runs, inputs, nullptr, {},
                       failure.isOk() ? "the run saved no session: " + read.status().message() : failure.toString());
}

// The runs of a child's document, as much of RunStats as summarizeRuns reads.
RunSetSummary summaryOf(const nlohmann::json& doc) {
    std::vector<RunStats> runs;
    for (const auto& run : doc["runs"]) {
        RunStats r;
        r.ms = run["ms"];
        r.allocations = run["allocations"];
        r.peakTrackedBytes = run["peak_tracked_bytes"];
        r.peakRssBytes = run["peak_rss_bytes"];
        r.peakActivationBytes = run["peak_activation_bytes"];
        r.peakDeviceHeapBytes = run.value("peak_device_heap_bytes", std::size_t(0));
        r.fallbackTransfers = run.value("fallback_transfers", 0);
        runs.push_back(r);
    }
    std::vector<const RunStats*> list;
    list.reserve(runs.size());
    for (const RunStats& r : runs) list.push_back(&r);
    return summarizeRuns(list);
}

std::string fixed(double value, int digits) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(digits) << value;
    return s.str();
}

// The table, columns aligned (the mode left, numbers right).
void printTable(std::vector<std::string> header, std::vector<std::vector<std::string>> rows, bool heapColumn) {
    // The driver's own count of device memory, where it gives one
    // (VK_EXT_memory_budget): a column only when some mode has it.
    if (heapColumn) header.push_back("device heap MiB");
    for (auto& row : rows) row.resize(header.size());
    std::vector<size_t> width(header.size());
    for (size_t c = 0; c < header.size(); ++c) {
        width[c] = header[c].size();
        for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
    }
    auto print = [&](const std::vector<std::string>& row) {
        for (size_t c = 0; c < row.size(); ++c)
            std::cout << (c ? "  " : "") << (c == 0 ? std::left : std::right) << std::setw(static_cast<int>(width[c]))
                      << row[c];
        std::cout << std::right << "\n";
    };
    print(header);
    for (const auto& row : rows) print(row);
}

std::string mib(double bytes) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << bytes / (1024.0 * 1024.0);
    return s.str();
}

}  // namespace

int runCompare(Args& args) {
    RunOptions o;
    o.runs = 5;
    while (!args.done()) {
        Status error;
        if (parseRunOption(args, o, error)) {
            if (!error.isOk()) return reportError(error);
        } else if (args.peek().rfind('-', 0) == 0) {
            return usageError("compare: unknown option '" + args.peek() + "'");
        } else if (o.model.empty()) {
            o.model = args.next();
        } else {
            return usageError("compare: unexpected argument '" + args.peek() + "'");
        }
    }
    if (o.model.empty()) return usageError("compare: name a model file");
    if (o.mode != "default") return usageError("compare runs every mode; drop --mode");
    // Fail early, in this process, on a bad model or option.
    auto model = loadModel(o.model);
    if (!model.ok()) return reportError(model.status());
    SessionOptions checked;
    std::map<std::string, TensorData> inputs;
    {
        Status built = buildSessionOptions(o, checked, inputs);
        if (built.isOk()) built = addInputValues(o, model->graph, checked, inputs);
        if (!built.isOk()) return reportError(built);
    }
    // --session: one run set per mode, in the table's order.
    std::vector<SavedRunSet> sets;
    auto saveSets = [&]() {
        return o.session.empty() ? Status::ok() : writeSessionOutput(o, checked.inputShapes, sets);
    };

    // The weights as the file stores them: a mode holding more at run time
    // (packed copies beside the file's, weights widened to float32) shows
    // as a ratio above 1.
    const std::size_t fileWeightBytes = summarizeModel(model->graph).weightBytes;
    nlohmann::json modes = nlohmann::json::array();
    std::size_t lowerBound = 0, executedLowerBound = 0;
    std::cout << "model " << o.model << ", " << o.runs << " runs per mode, steady = median of runs 2.." << o.runs
              << std::endl;
    std::vector<std::vector<std::string>> rows;
    std::string fallbackNote;  // the Vulkan backend's CPU-fallback nodes, from the first mode
    bool anyHeapSampled = false;
    // The presets, then the last one with reduce-constant: the kernels'
    // packed copies replacing the file's, measured like the rest.
    std::vector<std::string> modeNames;
    for (const MemoryPreset& preset : memoryPresets()) modeNames.emplace_back(preset.name);
    modeNames.push_back(modeNames.back() + "+reduce-constant");
    for (const std::string& modeName : modeNames) {
        const char* mode = modeName.c_str();
        auto result = runMode(o, mode);
        if (!o.session.empty())
            sets.push_back(childRunSet(o, mode, static_cast<int>(sets.size()) + 1, checked, inputs, result.status()));
        if (!result.ok()) {
            // The sets so far and the failed one are saved: the failure
            // opens in the app as it would have shown it.
            Status saved = saveSets();
            if (!saved.isOk()) reportError(saved);
            return reportError(result.status());
        }
        const nlohmann::json& doc = result.value();
        lowerBound = doc["lower_bound_bytes"];
        executedLowerBound = doc["executed_lower_bound_bytes"];
        const std::size_t weightBytes = doc["weight_bytes"];
        if (fallbackNote.empty() && doc.contains("cpu_fallback_nodes") && !doc["cpu_fallback_nodes"].empty())
            fallbackNote = describeFallback(doc["cpu_fallback_nodes"].get<std::vector<std::string>>());
        const bool heapSampled = doc.value("device_heap_sampled", false);
        anyHeapSampled = anyHeapSampled || heapSampled;
        const RunSetSummary s = summaryOf(doc);
        const double ratio = executedLowerBound ? double(s.peakActivationBytes) / double(executedLowerBound) : 0;
        modes.push_back({{"mode", mode},
                         {"peak_tracked_bytes", s.peakTrackedBytes},
                         {"peak_rss_bytes", s.peakRssBytes},
                         {"weight_bytes", weightBytes},
                         {"rss_before_load_bytes", doc["rss_before_load_bytes"]},
                         {"peak_activation_bytes", s.peakActivationBytes},
                         {"activation_to_lower_bound", ratio},
                         {"allocations_per_steady_run", s.steadyAllocations},
                         {"first_ms", s.firstMs},
                         {"steady_median_ms", s.steadyMedianMs},
                         {"fallback_transfers_per_run", s.fallbackTransfers}});
        if (heapSampled) modes.back()["peak_device_heap_bytes"] = s.peakDeviceHeapBytes;
        const double weightRatio = fileWeightBytes ? double(weightBytes) / double(fileWeightBytes) : 0;
        rows.push_back({mode, mib(double(s.peakTrackedBytes)), mib(double(s.peakRssBytes)), mib(double(weightBytes)),
                        fileWeightBytes ? fixed(weightRatio, 2) : "-", mib(double(s.peakActivationBytes)),
                        fixed(ratio, 2), std::to_string(static_cast<long long>(s.steadyAllocations)),
                        fixed(s.firstMs, 1), fixed(s.steadyMedianMs, 1),
                        heapSampled ? mib(double(s.peakDeviceHeapBytes)) : "-"});
    }
    std::cout << "weights in the file " << mib(double(fileWeightBytes)) << " MiB; lower bound "
              << mib(double(lowerBound)) << " MiB as stored, " << mib(double(executedLowerBound))
              << " MiB as executed (after fusion and folding)\n";
    printTable({"mode", "tracked MiB", "RSS MiB", "weights MiB", "w./file", "activ. MiB", "activ./LB", "allocs/run",
                "first ms", "steady ms"},
               std::move(rows), anyHeapSampled);
    if (!fallbackNote.empty()) std::cout << fallbackNote << "\n";
    Status saved = saveSets();
    if (!saved.isOk()) return reportError(saved);

    if (!o.json.empty()) {
        nlohmann::json doc = {{"model", o.model},
                              {"backend", o.backend},
                              {"runs", o.runs},
                              {"lower_bound_bytes", lowerBound},
                              {"executed_lower_bound_bytes", executedLowerBound},
                              {"file_weight_bytes", fileWeightBytes},
                              {"modes", std::move(modes)}};
        std::ofstream out(o.json);
        out << std::setw(2) << doc << "\n";
        if (!out) return reportError(Status(StatusCode::IoError, "cannot write '" + o.json + "'"));
    }
    return 0;
}

}  // namespace interstage::cli
