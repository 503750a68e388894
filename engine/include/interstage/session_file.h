// Saved sessions: a model's identity and every run set the app (or the
// CLI) made of it, with enough to redraw every chart and table exactly
// without the model: configurations, each run's statistics, memory
// events, resident-memory and device-heap samples, node times, the plan.
// One versioned JSON document (ARCHITECTURE.md, "Session files"); a file
// from a newer format, a damaged or a hostile one gets a clear error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "interstage/memory_budget.h"
#include "interstage/peak_explain.h"
#include "interstage/run_stats.h"
#include "interstage/session_options.h"
#include "interstage/status.h"
#include "interstage/tensor.h"

namespace interstage {

// The format this build writes and the newest it reads.
constexpr int kSessionFormatVersion = 1;

// Which model a session was made of: where it was, how big, and its
// SHA-256, so that reopening finds out whether the file there is the same.
struct ModelIdentity {
    std::string path;  // absolute, as opened
    std::uint64_t bytes = 0;
    std::string sha256;  // 64 lowercase hex digits of the file's bytes
    bool operator==(const ModelIdentity&) const = default;
};

// One node of the model file's graph, in file order (the report draws the
// graph from these without the model).
struct GraphNodeFacts {
    std::string name, op;
    std::vector<std::string> inputs, outputs;
    bool operator==(const GraphNodeFacts&) const = default;
};

// What the model file is, independent of any run set: the report's cover
// and graph figure. Optional in the document ("model_facts"): a file
// without it reads with present = false.
struct ModelFacts {
    bool present = false;
    std::int64_t opset = 0;
    int nodes = 0;
    std::map<std::string, int> ops;  // op type -> count
    std::size_t weightBytes = 0;
    int intermediateCount = 0;
    std::size_t intermediateBytes = 0;
    std::string largestTensor;
    std::size_t largestTensorBytes = 0;
    std::size_t lowerBoundBytes = 0;    // the file's graph as written
    std::string architecture;           // "u2netp" when it is the built-in sample (the seed table), else ""
    std::vector<GraphNodeFacts> graph;  // the file's nodes in file order
    bool operator==(const ModelFacts&) const = default;
};

// How one tensor of the memory map holds its bytes. role: "own",
// "in-place" (written over an input), "concat-member" (lies inside its
// Concat's output), "kept" (pinned for the user), "workspace"; host: the
// tensor whose bytes it shares ("" when none).
struct PlanTensorFacts {
    int dtype = 0;  // ONNX TensorProto.DataType number (0: not known)
    std::string role;
    std::string host;
    bool operator==(const PlanTensorFacts&) const = default;
};

// One run set: its configuration, every finished run and what its session
// knew. The observer pointer of `options` is not saved.
struct SavedRunSet {
    int setId = 0;
    std::string label;  // "reduce · 2 threads · cpu"
    SessionOptions options;
    int runsRequested = 0;
    std::map<std::string, TensorData> inputs;  // values the user typed (others: generated)
    MemoryBudget budget;                       // the budget the set ran under
    std::vector<RunStats> runs;                // every finished run
    std::size_t lowerBoundBytes = 0;           // the file's graph
    std::size_t executedLowerBoundBytes = 0;   // after fusion and folding
    std::size_t aliasedLowerBoundBytes = 0;    // under the set's in-place rules (0: a file without it)
    std::size_t weightBytes = 0;
    std::size_t plannedPeakBytes = 0;
    std::vector<TensorPlacement> memoryMap;
    std::vector<std::string> executedNodeNames;  // by step
    std::vector<std::string> executedNodeOps;    // op types by step (optional: empty when not known)
    // The executed graph's value names by id (MemoryEvent::tensor indexes
    // it; optional: empty when not known).
    std::vector<std::string> executedValueNames;
    std::vector<PlanTensorFacts> planTensors;  // parallel to memoryMap (empty: not known)
    PeakExplanation peak;                      // without costs; peakStep -1: not known
    std::string error;                         // empty when every run finished
    bool cancelled = false;
};

struct SavedSession {
    int formatVersion = kSessionFormatVersion;  // as read (written: always the current)
    std::string writer;                         // "interstage-cli 0.7", "interstage 0.7"
    std::string savedAt;                        // ISO 8601, UTC
    ModelIdentity model;
    InputShapes inputShapes;  // the shapes the model was opened with
    ModelFacts facts;         // optional: present = false when not known
    std::vector<SavedRunSet> runSets;
    // The app's own view state (selected tab, node, panel settings) as a
    // JSON object's text; the engine keeps it as is ("" : none).
    std::string viewState;
};

// Streams the file through SHA-256 (never whole in memory).
Result<ModelIdentity> identifyModel(const std::string& path);

std::string sessionToJson(const SavedSession& session);
// InvalidModel-like clear errors: not a session file, a newer format
// ("written by format 3; this build reads up to 1"), damaged or missing
// fields, values out of range.
Result<SavedSession> sessionFromJson(std::string_view text);

// Written to a temporary file beside `path`, then renamed over it: a crash
// mid-write leaves the old file whole.
Status writeSessionFile(const std::string& path, const SavedSession& session);
Result<SavedSession> readSessionFile(const std::string& path);
// True when the file's first bytes say it is a session file (the app's
// command line tells a session from a model by this).
bool looksLikeSessionFile(const std::string& path);

// "reduce · 2 threads · cpu": a run set's name in legends and tables, the
// text the app's RunConfig::label() gives, for sets the CLI saves.
std::string runSetLabel(const SessionOptions& options);

}  // namespace interstage
