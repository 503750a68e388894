// `interstage-cli compare MODEL`: every memory mode, each in a fresh
// process (so resident memory starts clean), in one table: peak tracked
// bytes, peak RSS, activations against the lower bound, allocations per
// steady run, first run and steady median times.
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

#include "run_options.h"

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

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[(v.size() - 1) / 2];
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
        } else if (args.peek().rfind("-", 0) == 0) {
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

    nlohmann::json modes = nlohmann::json::array();
    std::size_t lowerBound = 0, executedLowerBound = 0, weightBytes = 0;
    std::cout << "model " << o.model << ", " << o.runs << " runs per mode, steady = median of runs 2.." << o.runs
              << std::endl;
    std::vector<std::vector<std::string>> rows;
    std::string fallbackNote;  // the Vulkan backend's CPU-fallback nodes, from the first mode
    bool anyHeapSampled = false;
    for (const MemoryPreset& preset : memoryPresets()) {
        const char* mode = preset.name;
        std::vector<std::string> runArgs = {"run", o.model, "--mode", mode, "--json", tempPath("run.json")};
        auto child = childArguments(o);
        runArgs.insert(runArgs.end(), child.begin(), child.end());
        const std::string errFile = tempPath("stderr");
        int rc = spawnSelf(runArgs, errFile);
        if (rc != 0) {
            std::string err = readAll(errFile);
            std::remove(errFile.c_str());
            while (!err.empty() && err.back() == '\n') err.pop_back();
            return reportError(Status(StatusCode::Internal, std::string("mode ") + mode + " failed: " +
                                                                (err.empty() ? "exit " + std::to_string(rc) : err)));
        }
        std::remove(errFile.c_str());
        nlohmann::json doc = nlohmann::json::parse(readAll(tempPath("run.json")), nullptr, false);
        std::remove(tempPath("run.json").c_str());
        if (doc.is_discarded())
            return reportError(Status(StatusCode::Internal, "mode " + std::string(mode) + ": unreadable result"));
        lowerBound = doc["lower_bound_bytes"];
        executedLowerBound = doc["executed_lower_bound_bytes"];
        weightBytes = std::max<std::size_t>(weightBytes, doc["weight_bytes"]);
        if (fallbackNote.empty() && doc.contains("cpu_fallback_nodes") && !doc["cpu_fallback_nodes"].empty())
            fallbackNote = describeFallback(doc["cpu_fallback_nodes"].get<std::vector<std::string>>());
        const bool heapSampled = doc.value("device_heap_sampled", false);
        anyHeapSampled = anyHeapSampled || heapSampled;
        std::size_t peakTracked = 0, peakRss = 0, peakActivations = 0, peakHeap = 0, fallbackTransfers = 0;
        std::vector<double> steady, steadyAllocations;
        double first = 0;
        int index = 0;
        for (const auto& run : doc["runs"]) {
            peakTracked = std::max<std::size_t>(peakTracked, run["peak_tracked_bytes"]);
            peakRss = std::max<std::size_t>(peakRss, run["peak_rss_bytes"]);
            peakActivations = std::max<std::size_t>(peakActivations, run["peak_activation_bytes"]);
            peakHeap = std::max<std::size_t>(peakHeap, run.value("peak_device_heap_bytes", std::size_t(0)));
            fallbackTransfers =
                std::max<std::size_t>(fallbackTransfers, run.value("fallback_transfers", std::size_t(0)));
            if (index++ == 0)
                first = run["ms"];
            else {
                steady.push_back(run["ms"]);
                steadyAllocations.push_back(run["allocations"]);
            }
        }
        const double steadyMs = steady.empty() ? first : median(steady);
        const double allocations = steadyAllocations.empty() ? 0 : median(steadyAllocations);
        const double ratio = executedLowerBound ? double(peakActivations) / double(executedLowerBound) : 0;
        modes.push_back({{"mode", mode},
                         {"peak_tracked_bytes", peakTracked},
                         {"peak_rss_bytes", peakRss},
                         {"rss_before_load_bytes", doc["rss_before_load_bytes"]},
                         {"peak_activation_bytes", peakActivations},
                         {"activation_to_lower_bound", ratio},
                         {"allocations_per_steady_run", allocations},
                         {"first_ms", first},
                         {"steady_median_ms", steadyMs},
                         {"fallback_transfers_per_run", fallbackTransfers}});
        if (heapSampled) modes.back()["peak_device_heap_bytes"] = peakHeap;
        std::ostringstream r, f, s;
        r << std::fixed << std::setprecision(2) << ratio;
        f << std::fixed << std::setprecision(1) << first;
        s << std::fixed << std::setprecision(1) << steadyMs;
        rows.push_back({mode, mib(double(peakTracked)), mib(double(peakRss)), mib(double(peakActivations)), r.str(),
                        std::to_string(static_cast<long long>(allocations)), f.str(), s.str(),
                        heapSampled ? mib(double(peakHeap)) : "-"});
    }
    std::cout << "weights " << mib(double(weightBytes)) << " MiB; lower bound " << mib(double(lowerBound))
              << " MiB as stored, " << mib(double(executedLowerBound))
              << " MiB as executed (after fusion and folding)\n";
    std::vector<std::string> header = {"mode",      "tracked MiB", "RSS MiB",  "activ. MiB",
                                       "activ./LB", "allocs/run",  "first ms", "steady ms"};
    // The driver's own count of device memory, where it gives one
    // (VK_EXT_memory_budget): a column only when some mode has it.
    if (anyHeapSampled) header.push_back("device heap MiB");
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
    if (!fallbackNote.empty()) std::cout << fallbackNote << "\n";

    if (!o.json.empty()) {
        nlohmann::json doc = {{"model", o.model},
                              {"backend", o.backend},
                              {"runs", o.runs},
                              {"lower_bound_bytes", lowerBound},
                              {"executed_lower_bound_bytes", executedLowerBound},
                              {"weight_bytes", weightBytes},
                              {"modes", std::move(modes)}};
        std::ofstream out(o.json);
        out << std::setw(2) << doc << "\n";
        if (!out) return reportError(Status(StatusCode::IoError, "cannot write '" + o.json + "'"));
    }
    return 0;
}

}  // namespace interstage::cli
