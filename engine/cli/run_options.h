// Options shared by `run` and `compare`: model, backend, threads, inputs,
// memory flags.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli_common.h"
#include "interstage/session.h"

namespace interstage::cli {

struct RunOptions {
    std::string model;
    std::string backend = "cpu";
    int threads = 0;
    int runs = 1;
    std::vector<std::string> inputSpecs;   // NAME=DIMS
    std::vector<std::string> inputFiles;   // NAME=FILE.pb
    std::vector<std::string> inputValues;  // NAME=V[,V...]
    std::string mode = "default";
    bool reduceConstant = false;
    bool ignoreInputInitializer = false;
    bool noFusion = false;
    bool noInPlaceConcat = false;
    bool noInPlaceOps = false;
    bool noBlockedLayout = false;
    bool fileOrder = false;
    bool allowOtherDims = false;  // run inputs at dims other than the static ones declared
    bool gpuFp16 = false;         // --gpu-fp16: float16 storage on a Vulkan backend
    std::vector<std::string> keep;
    std::string saveOutputs;
    std::string json;
    std::string trace;
    std::string session;        // --session FILE: the run sets saved for the app
    std::string csv;            // --csv DIR: the same document as CSV tables (export_csv.h)
    std::size_t maxMemory = 0;  // bytes; 0 = automatic (or none with noBudget)
    bool noBudget = false;      // --max-memory none: the guard off
    double timeoutSeconds = 0;  // stop the runs after this long; 0 = never

    // --session or --csv: the run sets are kept for the export document.
    bool wantsDocument() const { return !session.empty() || !csv.empty(); }
};

// Consumes one option it knows from args; false when the current arg is
// not one of them. Errors come back in `error`.
bool parseRunOption(Args& args, RunOptions& o, Status& error);

// The arguments that give a child process the same configuration.
std::vector<std::string> childArguments(const RunOptions& o);

// The load's memory guard: the same budget as the session's.
LoadOptions loadOptionsFor(const RunOptions& o);

// Session options and inputs from the parsed options.
Status buildSessionOptions(const RunOptions& o, SessionOptions& options, std::map<std::string, TensorData>& inputs);

// The --value inputs, read by the dtype and shape the loaded model
// declares (after buildSessionOptions, whose --input shapes they must
// fit); each also sets its input's shape.
Status addInputValues(const RunOptions& o, const Graph& graph, SessionOptions& options,
                      std::map<std::string, TensorData>& inputs);

// The flags and the one model file of `run` / `compare`; `usage` is set
// when the error is one of usage (an unknown flag, no model).
// `extra` takes the command's own options first (true: it took the one
// at args.peek(), setting error when its value is bad).
using ExtraOptions = std::function<bool(Args& args, Status& error)>;
Status parseCommandArgs(Args& args, const std::string& command, RunOptions& o, bool& usage,
                        const ExtraOptions& extra = nullptr);

}  // namespace interstage::cli
