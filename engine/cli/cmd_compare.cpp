// `interstage-cli compare MODEL`: every memory mode, each in a fresh
// process (so resident memory starts clean), in one table: peak tracked
// bytes, peak RSS, weights held at run time against the file's, activations
// against the lower bound, allocations per steady run, first run and steady
// median times. With --gpu-fp16 each mode runs twice on the Vulkan device,
// in float32 and in fp16 storage, the fp16 row with its outputs' largest
// error relative to the float32 row's.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "interstage/export_facts.h"
#include "interstage/model_info.h"
#include "interstage/output_error.h"
#include "interstage/run_summary.h"
#include "interstage/tensor_io.h"
#include "run_options.h"
#include "seed_table_output.h"
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
// `label` names the mode in errors ("mode reduce: ..."), `mode` is what
// the child's --mode reads; `outputs`, when given, the folder the child
// saves its outputs in.
Result<nlohmann::json> runMode(const RunOptions& o, const char* mode, const char* label,
                               const std::string& outputs = "") {
    std::vector<std::string> runArgs = {"run", o.model, "--mode", mode, "--json", tempPath("run.json")};
    auto child = childArguments(o);
    runArgs.insert(runArgs.end(), child.begin(), child.end());
    if (!outputs.empty()) runArgs.insert(runArgs.end(), {"--save-outputs", outputs});
    // The child saves its run set (also a failed one) for --session.
    if (o.wantsDocument()) runArgs.insert(runArgs.end(), {"--session", tempPath("session")});
    const std::string errFile = tempPath("stderr");
    const int rc = spawnSelf(runArgs, errFile);
    std::string err = readAll(errFile);
    std::remove(errFile.c_str());
    if (rc != 0) return childError(label, rc, err);
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

// The largest maxRelativeError over the outputs a float32 child saved in
// `reference` and an fp16 child in `other` (one .pb per output, by name).
Result<double> outputsError(const std::string& reference, const std::string& other) {
    double worst = 0;
    int compared = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(reference, ec)) {
        const std::string file = entry.path().filename().string();
        auto r = readTensorFile(entry.path().string());
        if (!r.ok()) return r.status();
        auto x = readTensorFile(other + "/" + file);
        if (!x.ok()) return x.status();
        auto error = maxRelativeError(r->data, x->data);
        if (!error.ok()) return Status(error.status().code(), file + ": " + error.status().message());
        worst = std::max(worst, error.value());
        ++compared;
    }
    if (ec) return Status(StatusCode::IoError, "cannot read the outputs in '" + reference + "': " + ec.message());
    if (compared == 0) return Status(StatusCode::Internal, "the float32 run saved no outputs to compare");
    return worst;
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

// The table, columns aligned (the mode left, numbers right). Each row has
// the header's figures, then the device heap and the fp16 error.
void printTable(std::vector<std::string> header, std::vector<std::vector<std::string>> rows, bool heapColumn,
                bool errorColumn) {
    const size_t figures = header.size();
    // The driver's own count of device memory, where it gives one
    // (VK_EXT_memory_budget): a column only when some mode has it.
    if (heapColumn) header.push_back("device heap MiB");
    if (errorColumn) header.push_back("fp16 error");
    for (auto& row : rows) {
        row.resize(figures + 2);
        if (!errorColumn) row.pop_back();
        if (!heapColumn) row.erase(row.begin() + static_cast<std::ptrdiff_t>(figures));
    }
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

// The comparison's rows (the table) and modes (--json), one per mode run
// or refused, and what the modes' documents say of the model.
struct CompareTable {
    nlohmann::json modes = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows;
    std::size_t lowerBound = 0, executedLowerBound = 0;
    std::string fallbackNote;  // the Vulkan backend's CPU-fallback nodes, from the first mode
    bool anyHeapSampled = false;
    std::vector<std::string> refusals;     // "mode X: the X plan needs ..."
    std::vector<SeedComparison> seedRows;  // the presets' figures, for --seed-table
    std::size_t float32Activations = 0;    // --gpu-fp16: the last float32 row's peak activations

    // A row names a preset by its short name; the flags column and the
    // JSON's mode (MemoryMode::name(), which --mode reads back) say the rest.
    static std::string rowName(const MemoryMode& mode) {
        const MemoryPreset* preset = presetOf(mode);
        return preset ? preset->name : mode.name();
    }
    static nlohmann::json modeJson(const MemoryMode& mode) {
        const MemoryPreset* preset = presetOf(mode);
        return {{"mode", mode.name()},
                {"preset", preset ? nlohmann::json(preset->name) : nlohmann::json()},
                {"sdk_flags", sdkFlags(mode)}};
    }

    void addRefused(const MemoryMode& mode, const std::string& message, bool fp16Row = false) {
        nlohmann::json entry = modeJson(mode);
        entry["refused"] = message;
        if (fp16Row) entry["gpu_fp16"] = true;
        modes.push_back(std::move(entry));
        if (!fp16Row) float32Activations = 0;
        rows.push_back({rowName(mode) + (fp16Row ? " fp16" : ""), sdkFlags(mode), "refused"});
        refusals.push_back(message);
    }

    // fp16Row: an fp16 storage row (--gpu-fp16), with its outputs' error
    // against the float32 row just added (none when that one was refused).
    void addMeasured(const MemoryMode& mode, const nlohmann::json& doc, std::size_t fileWeightBytes,
                     bool fp16Row = false, std::optional<double> fp16Error = std::nullopt) {
        // The bounds at float32's bytes: the graph's, as the notes say.
        if (!fp16Row || !lowerBound) {
            lowerBound = doc["lower_bound_bytes"];
            executedLowerBound = doc["executed_lower_bound_bytes"];
        }
        const std::size_t weightBytes = doc["weight_bytes"];
        if (fallbackNote.empty() && doc.contains("cpu_fallback_nodes") && !doc["cpu_fallback_nodes"].empty())
            fallbackNote = describeFallback(doc["cpu_fallback_nodes"].get<std::vector<std::string>>());
        const bool heapSampled = doc.value("device_heap_sampled", false);
        anyHeapSampled = anyHeapSampled || heapSampled;
        const RunSetSummary s = summaryOf(doc);
        // Activations against the bound of this mode's in-place rules: a
        // ratio below 1 against the graph-as-written bound only meant that
        // tensors were written inside others; against this one it cannot.
        const std::size_t bound = doc.value("aliased_lower_bound_bytes", std::size_t(0));
        const double ratio = bound ? double(s.peakActivationBytes) / double(bound) : 0;
        const double writtenRatio = executedLowerBound ? double(s.peakActivationBytes) / double(executedLowerBound) : 0;
        nlohmann::json entry = modeJson(mode);
        entry.update({{"peak_tracked_bytes", s.peakTrackedBytes},
                      {"peak_rss_bytes", s.peakRssBytes},
                      {"weight_bytes", weightBytes},
                      {"rss_before_load_bytes", doc["rss_before_load_bytes"]},
                      {"peak_activation_bytes", s.peakActivationBytes},
                      {"aliased_lower_bound_bytes", bound},
                      {"activation_to_aliased_bound", ratio},
                      {"activation_to_lower_bound", writtenRatio},
                      {"allocations_per_steady_run", s.steadyAllocations},
                      {"first_ms", s.firstMs},
                      {"steady_median_ms", s.steadyMedianMs},
                      {"fallback_transfers_per_run", s.fallbackTransfers}});
        modes.push_back(std::move(entry));
        if (const MemoryPreset* preset = presetOf(mode)) {
            SeedComparison seed{preset->name, s.peakRssBytes, s.peakTrackedBytes, {}};
            for (const auto& run : doc["runs"]) seed.runMs.push_back(run["ms"]);
            seedRows.push_back(std::move(seed));
        }
        if (heapSampled) modes.back()["peak_device_heap_bytes"] = s.peakDeviceHeapBytes;
        modes.back()["gpu_fp16"] = fp16Row;
        if (fp16Row) {
            if (fp16Error) modes.back()["max_relative_error"] = *fp16Error;
            if (float32Activations)
                modes.back()["activation_to_float32"] = double(s.peakActivationBytes) / double(float32Activations);
        } else {
            float32Activations = s.peakActivationBytes;
        }
        const double weightRatio = fileWeightBytes ? double(weightBytes) / double(fileWeightBytes) : 0;
        std::ostringstream error;
        if (fp16Error) error << std::setprecision(2) << std::scientific << *fp16Error;
        rows.push_back({rowName(mode) + (fp16Row ? " fp16" : ""), sdkFlags(mode), mib(double(s.peakTrackedBytes)),
                        mib(double(s.peakRssBytes)), mib(double(weightBytes)),
                        fileWeightBytes ? fixed(weightRatio, 2) : "-", mib(double(s.peakActivationBytes)),
                        mib(double(bound)), fixed(ratio, 2),
                        std::to_string(static_cast<long long>(s.steadyAllocations)), fixed(s.firstMs, 1),
                        fixed(s.steadyMedianMs, 1), heapSampled ? mib(double(s.peakDeviceHeapBytes)) : "-",
                        fp16Error ? error.str() : "-"});
    }
};

// What every row's child is checked against and measured by.
struct RowContext {
    const SessionOptions& checked;
    const std::map<std::string, TensorData>& inputs;
    std::size_t fileWeightBytes = 0;
};

// Each mode in a child process, a row each (twice with --gpu-fp16: float32,
// then fp16 storage with its outputs' error against the float32 run). A
// mode the memory guard refuses is a row; any other failure ends the
// comparison (the sets so far kept in `sets`).
Status runRows(const RunOptions& o, const std::vector<MemoryMode>& rowModes, const RowContext& context,
               CompareTable& table, std::vector<SavedRunSet>& sets) {
    const std::vector<bool> precisions = o.gpuFp16 ? std::vector<bool>{false, true} : std::vector<bool>{false};
    for (const MemoryMode& rowMode : rowModes) {
        const std::string modeName = rowMode.name();
        const char* mode = modeName.c_str();
        bool float32Measured = false;
        for (const bool fp16 : precisions) {
            RunOptions row = o;
            row.gpuFp16 = fp16;
            const std::string label = CompareTable::rowName(rowMode) + (fp16 ? " fp16" : "");
            const std::string outputs = o.gpuFp16 ? tempPath(fp16 ? "fp16" : "fp32") : "";
            auto result = runMode(row, mode, label.c_str(), outputs);
            if (o.wantsDocument())
                sets.push_back(childRunSet(row, mode, static_cast<int>(sets.size()) + 1, context.checked,
                                           context.inputs, result.status()));
            if (!result.ok() && result.status().code() != StatusCode::OutOfMemory) return result.status();
            if (!result.ok()) {
                table.addRefused(rowMode, result.status().message(), fp16);
                continue;
            }
            std::optional<double> error;
            if (fp16 && float32Measured) {
                auto measured = outputsError(tempPath("fp32"), outputs);
                if (!measured.ok()) return measured.status();
                error = measured.value();
            }
            float32Measured = !fp16;
            table.addMeasured(rowMode, result.value(), context.fileWeightBytes, fp16, error);
        }
        std::filesystem::remove_all(tempPath("fp32"));
        std::filesystem::remove_all(tempPath("fp16"));
    }
    return Status::ok();
}

// The rows --presets names ("default,reduce,arena"), in the table's
// order; none named: the five presets, then the arena with the constant
// flags off. A name that is not a preset is a usage error.
Result<std::vector<MemoryMode>> rowModesFor(const std::string& presets) {
    std::vector<MemoryMode> modes;
    if (presets.empty()) {
        for (const MemoryPreset& preset : memoryPresets()) modes.push_back(preset.mode);
        modes.push_back(MemoryMode{PlannerKind::Arena});
        return modes;
    }
    std::vector<std::string> names;
    for (std::size_t start = 0; start <= presets.size();) {
        const std::size_t comma = std::min(presets.find(',', start), presets.size());
        names.push_back(presets.substr(start, comma - start));
        start = comma + 1;
    }
    for (const MemoryPreset& preset : memoryPresets())
        if (std::find(names.begin(), names.end(), preset.name) != names.end()) modes.push_back(preset.mode);
    for (const std::string& name : names) {
        const bool known = std::any_of(memoryPresets().begin(), memoryPresets().end(),
                                       [&](const MemoryPreset& p) { return name == p.name; });
        if (!known)
            return invalidArgument("--presets: '" + name +
                                   "' is not a preset (default, reduce, reuse, reduce+reuse, arena)");
    }
    return modes;
}

// compare's command line: the run options, --seed-table and --presets
// (as the rows to run). 0, or the exit status of a bad one.
int parseCompareArgs(Args& args, RunOptions& o, bool& seedTable, std::vector<MemoryMode>& rowModes) {
    std::string presets;
    bool usage = false;
    Status parsed = parseCommandArgs(args, "compare", o, usage, [&](Args& a, Status& error) {
        return a.flag("--seed-table") ? (seedTable = true) : a.option("--presets", presets, error);
    });
    if (!parsed.isOk()) return usage ? usageError(parsed.message()) : reportError(parsed);
    auto modes = rowModesFor(presets);
    if (!modes.ok()) return usageError(modes.status().message());
    rowModes = modes.take();
    return 0;
}

}  // namespace

int runCompare(Args& args) {
    RunOptions o;
    o.runs = 5;
    bool seedTable = false;
    std::vector<MemoryMode> rowModes;
    if (const int bad = parseCompareArgs(args, o, seedTable, rowModes)) return bad;
    if (o.mode != "default") return usageError("compare runs every mode; drop --mode");
    // Fail early, in this process, on a bad model or option.
    MemoryBudget budget;
    auto model = loadModel(o.model, loadOptionsFor(o));
    if (!model.ok()) return reportError(model.status());
    SessionOptions checked;
    std::map<std::string, TensorData> inputs;
    {
        Status built = buildSessionOptions(o, checked, inputs);
        if (built.isOk()) built = addInputValues(o, model->graph, checked, inputs);
        if (!built.isOk()) return reportError(built);
        budget = resolveMemoryBudget(checked.maxMemoryBytes, checked.automaticBudget);
    }
    // --session: one run set per mode, in the table's order.
    std::vector<SavedRunSet> sets;
    const ModelFacts facts =
        !o.wantsDocument() ? ModelFacts{} : modelFactsOf(model.value(), checked.inputShapes, checked.shapeOptions);
    auto saveSets = [&]() {
        return !o.wantsDocument() ? Status::ok() : writeSessionOutput(o, checked.inputShapes, sets, facts);
    };

    // The weights as the file stores them: a mode holding more at run time
    // (packed copies beside the file's, weights widened to float32) shows
    // as a ratio above 1.
    const std::size_t fileWeightBytes = summarizeModel(model->graph).weightBytes;
    CompareTable table;
    std::cout << "model " << o.model << ", " << o.runs << " runs per mode, steady = median of runs 2.." << o.runs
              << std::endl;
    // Each mode's process resolves the budget again (the automatic one from
    // the memory available then); this is the budget as it stands now.
    std::cout << "memory budget: " << describeMemoryBudget(budget) << std::endl;
    // The presets --presets names, else all (the seed's flags: reduce-constant and
    // ignore-input-initializer on), then the arena with both off: the
    // kernels' packed weight copies held beside the file's, measured like
    // the rest.
    Status rows = runRows(o, rowModes, {checked, inputs, fileWeightBytes}, table, sets);
    if (!rows.isOk()) {
        // The sets so far and the failed one are saved: the failure
        // opens in the app as it would have shown it.
        Status saved = saveSets();
        if (!saved.isOk()) reportError(saved);
        return reportError(rows);
    }
    std::cout << "weights in the file " << mib(double(fileWeightBytes)) << " MiB; lower bound "
              << mib(double(table.lowerBound)) << " MiB as stored, " << mib(double(table.executedLowerBound))
              << " MiB as executed (after fusion and folding): the graph as written, every tensor its own bytes\n"
              << "bound: the lower bound under the mode's in-place rules (a tensor written inside another counts "
                 "once); no plan goes below it\n";
    printTable({"mode", "SDK flags", "tracked MiB", "RSS MiB", "weights MiB", "w./file", "activ. MiB", "bound MiB",
                "activ./bound", "allocs/run", "first ms", "steady ms"},
               std::move(table.rows), table.anyHeapSampled, o.gpuFp16);
    if (o.gpuFp16)
        std::cout << "fp16: the mode with float32 tensors stored as float16 on the device; fp16 error: its outputs' "
                     "largest difference from the float32 row's, relative to their largest magnitude\n";
    if (!table.fallbackNote.empty()) std::cout << table.fallbackNote << "\n";
    for (const std::string& refusal : table.refusals) std::cout << "refused: " << refusal << "\n";
    if (seedTable) printSeedTable(table.seedRows, o.model);
    Status saved = saveSets();
    if (!saved.isOk()) return reportError(saved);

    if (!o.json.empty()) {
        nlohmann::json doc = {
            {"model", o.model},
            {"backend", o.backend},
            {"gpu_fp16", o.gpuFp16},
            {"runs", o.runs},
            {"lower_bound_bytes", table.lowerBound},
            {"executed_lower_bound_bytes", table.executedLowerBound},
            {"file_weight_bytes", fileWeightBytes},
            {"memory_budget", {{"bytes", budget.bytes}, {"source", budget.source}, {"automatic", budget.automatic}}},
            {"modes", std::move(table.modes)}};
        if (seedTable) doc["seed_table"] = seedTableJson(table.seedRows);
        std::ofstream out(o.json);
        out << std::setw(2) << doc << "\n";
        if (!out) return reportError(Status(StatusCode::IoError, "cannot write '" + o.json + "'"));
    }
    return 0;
}

}  // namespace interstage::cli
