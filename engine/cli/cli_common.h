// Shared pieces of interstage-cli's commands: argument scanning, errors,
// model loading with --input shapes, byte formatting.
#pragma once

#include <string>
#include <vector>

#include "interstage/format.h"
#include "interstage/model.h"
#include "interstage/session.h"
#include "interstage/status.h"

namespace interstage::cli {

// Exit codes: 0 ok, 1 the work failed (bad model, ...), 2 bad command line.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Prints "interstage-cli: <status>" as one line on stderr, with the CLI's
// flag for each way out the status offers; returns kExitFailure
// (kExitUsage for InvalidArgument).
int reportError(const Status& status);
// The engine's message names its ways out as concepts (pin the tensor);
// this adds the CLI's flag for each (--keep NAME, --mode default, ...).
Status withCliFlags(const Status& status, const std::string& tensor);
int usageError(const std::string& message);

// Walks argv after the command name: options with values and positionals.
class Args {
public:
    Args(int argc, char** argv, int first);
    bool done() const { return pos_ >= args_.size(); }
    const std::string& peek() const { return args_[pos_]; }
    std::string next() { return args_[pos_++]; }
    // For "--opt VALUE" and "--opt=VALUE": true when the current arg is opt;
    // the value goes to value (error when missing).
    bool option(const std::string& opt, std::string& value, Status& error);
    bool flag(const std::string& opt);

private:
    std::vector<std::string> args_;
    size_t pos_ = 0;
};

// Loads the model and resolves shapes for the --input specs.
struct LoadedModel {
    Model model;
    ShapeReport shapes;
};
// For inspection: weights may be missing and shapes unresolved (listed).
Result<LoadedModel> loadWithShapes(const std::string& path, const std::vector<std::string>& inputSpecs);

// "note: 2 nodes run on the CPU for want of a Vulkan shader ...: a (Op), b (Op)"
std::string describeFallback(const std::vector<std::string>& nodes);

// "live tensors peak 81.4 MiB at node 'x' (Conv): a 50.0 MiB, b 25.0 MiB ..."
// and the execution order's line, from a prepared session's plan.
std::string describeLivePeak(const Session& session);
std::string describeExecutionOrder(const Session& session);

int runInfo(Args& args);
int runZoo(Args& args);
int runRun(Args& args);
int runCompare(Args& args);
int runExplain(Args& args);
int runDiff(Args& args);
int runDevices(Args& args);
int runFit(Args& args);
int runReport(Args& args);  // cmd_report.cpp
int runChart(Args& args);

}  // namespace interstage::cli
