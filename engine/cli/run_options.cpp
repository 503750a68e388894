#include "run_options.h"

#include "interstage/input_values.h"
#include "interstage/tensor_io.h"

namespace interstage::cli {
namespace {

Result<int> parseCount(const std::string& text, const std::string& what, int minimum) {
    char* stop = nullptr;
    long value = std::strtol(text.c_str(), &stop, 10);
    constexpr long kMost = 1000000;
    if (text.empty() || *stop != '\0' || value < minimum || value > kMost)
        return invalidArgument(what + " must be a whole number from " + std::to_string(minimum) + " to " +
                               std::to_string(kMost) + ", not '" + text + "'");
    return static_cast<int>(value);
}

}  // namespace

bool parseRunOption(Args& args, RunOptions& o, Status& error) {
    std::string value;
    if (args.option("--backend", o.backend, error)) return true;
    if (args.option("--mode", o.mode, error)) return true;
    if (args.option("--save-outputs", o.saveOutputs, error)) return true;
    if (args.option("--json", o.json, error)) return true;
    if (args.option("--trace", o.trace, error)) return true;
    if (args.option("--session", o.session, error)) return true;
    if (args.option("--csv", o.csv, error)) return true;
    if (args.option("--input", value, error)) {
        o.inputSpecs.push_back(value);
        return true;
    }
    if (args.option("--input-file", value, error)) {
        o.inputFiles.push_back(value);
        return true;
    }
    if (args.option("--value", value, error)) {
        o.inputValues.push_back(value);
        return true;
    }
    if (args.option("--keep", value, error)) {
        o.keep.push_back(value);
        return true;
    }
    if (args.option("--threads", value, error)) {
        if (!error.isOk()) return true;
        auto n = parseCount(value, "--threads", 0);
        if (n.ok())
            o.threads = n.value();
        else
            error = n.status();
        return true;
    }
    if (args.option("--runs", value, error)) {
        if (!error.isOk()) return true;
        auto n = parseCount(value, "--runs", 1);
        if (n.ok())
            o.runs = n.value();
        else
            error = n.status();
        return true;
    }
    if (args.option("--max-memory", value, error)) {
        if (!error.isOk()) return true;
        // "none" switches the guard off; no flag: the automatic budget.
        if (value == "none") {
            o.noBudget = true;
            o.maxMemory = 0;
            return true;
        }
        std::size_t bytes = 0;
        if (!parseByteSize(value, bytes))
            error = invalidArgument("--max-memory '" + value + "' must be a size such as 200M or 1.5G, or none");
        else
            o.maxMemory = bytes, o.noBudget = false;
        return true;
    }
    if (args.option("--timeout", value, error)) {
        if (!error.isOk()) return true;
        char* stop = nullptr;
        const double seconds = std::strtod(value.c_str(), &stop);
        if (value.empty() || *stop != '\0' || !(seconds > 0))
            error = invalidArgument("--timeout '" + value + "' must be a number of seconds above 0, such as 30 or 2.5");
        else
            o.timeoutSeconds = seconds;
        return true;
    }
    if (args.flag("--reduce-constant")) return o.reduceConstant = true;
    if (args.flag("--ignore-input-initializer")) return o.ignoreInputInitializer = true;
    if (args.flag("--no-fusion")) return o.noFusion = true;
    if (args.flag("--no-in-place-concat")) return o.noInPlaceConcat = true;
    if (args.flag("--no-in-place-ops")) return o.noInPlaceOps = true;
    if (args.flag("--no-blocked-layout")) return o.noBlockedLayout = true;
    if (args.flag("--file-order")) return o.fileOrder = true;
    if (args.flag("--allow-other-dims")) return o.allowOtherDims = true;
    if (args.flag("--gpu-fp16")) return o.gpuFp16 = true;
    return false;
}

std::vector<std::string> childArguments(const RunOptions& o) {
    std::vector<std::string> a = {"--backend",           o.backend, "--threads", std::to_string(o.threads), "--runs",
                                  std::to_string(o.runs)};
    for (const auto& s : o.inputSpecs) a.insert(a.end(), {"--input", s});
    for (const auto& s : o.inputFiles) a.insert(a.end(), {"--input-file", s});
    for (const auto& s : o.inputValues) a.insert(a.end(), {"--value", s});
    for (const auto& s : o.keep) a.insert(a.end(), {"--keep", s});
    if (o.reduceConstant) a.push_back("--reduce-constant");
    if (o.ignoreInputInitializer) a.push_back("--ignore-input-initializer");
    if (o.noFusion) a.push_back("--no-fusion");
    if (o.noInPlaceConcat) a.push_back("--no-in-place-concat");
    if (o.noInPlaceOps) a.push_back("--no-in-place-ops");
    if (o.noBlockedLayout) a.push_back("--no-blocked-layout");
    if (o.fileOrder) a.push_back("--file-order");
    if (o.allowOtherDims) a.push_back("--allow-other-dims");
    if (o.gpuFp16) a.push_back("--gpu-fp16");
    if (o.maxMemory) a.insert(a.end(), {"--max-memory", std::to_string(o.maxMemory)});
    if (o.noBudget) a.insert(a.end(), {"--max-memory", "none"});
    if (o.timeoutSeconds > 0) a.insert(a.end(), {"--timeout", std::to_string(o.timeoutSeconds)});
    return a;
}

LoadOptions loadOptionsFor(const RunOptions& o) {
    LoadOptions load;
    load.maxMemoryBytes = o.maxMemory;
    load.automaticBudget = !o.noBudget;
    return load;
}

Status buildSessionOptions(const RunOptions& o, SessionOptions& options, std::map<std::string, TensorData>& inputs) {
    options.backend = o.backend;
    options.threads = o.threads;
    auto mode = MemoryMode::parse(o.mode);
    if (!mode.ok()) return mode.status();
    options.mode = mode.value();
    options.mode.reduceConstant = options.mode.reduceConstant || o.reduceConstant;
    options.mode.ignoreInputWithInitializer = options.mode.ignoreInputWithInitializer || o.ignoreInputInitializer;
    options.fusion = !o.noFusion;
    options.inPlaceConcat = !o.noInPlaceConcat;
    options.inPlaceOps = !o.noInPlaceOps;
    options.blockedLayout = !o.noBlockedLayout;
    options.memoryAwareOrder = !o.fileOrder;
    options.gpuFp16 = o.gpuFp16;
    if (o.gpuFp16 && o.backend.rfind("vulkan", 0) != 0)
        return invalidArgument("--gpu-fp16 stores tensors as float16 on a Vulkan device; add --backend vulkan");
    options.shapeOptions.allowOtherDims = o.allowOtherDims;
    options.keep = o.keep;
    options.maxMemoryBytes = o.maxMemory;
    options.automaticBudget = !o.noBudget;
    for (const auto& spec : o.inputSpecs) {
        auto s = parseInputSpec(spec);
        if (!s.ok()) return s.status();
        options.inputShapes[s->first] = s->second;
    }
    for (const auto& spec : o.inputFiles) {
        auto eq = spec.find('=');
        if (eq == std::string::npos || eq == 0)
            return invalidArgument("--input-file '" + spec + "' must look like NAME=TENSOR.pb");
        auto tensor = readTensorFile(spec.substr(eq + 1));
        if (!tensor.ok()) return tensor.status();
        options.inputShapes[spec.substr(0, eq)] = tensor->data.shape;
        inputs[spec.substr(0, eq)] = tensor->data;
    }
    return Status::ok();
}

Status addInputValues(const RunOptions& o, const Graph& graph, SessionOptions& options,
                      std::map<std::string, TensorData>& inputs) {
    for (const auto& spec : o.inputValues) {
        const auto eq = spec.find('=');
        if (eq == std::string::npos || eq == 0)
            return invalidArgument("--value '" + spec + "' must look like NAME=V[,V...], e.g. sr=16000");
        const std::string name = spec.substr(0, eq);
        const ValueId id = graph.find(name);
        if (id == kNoValue || !graph.value(id).isGraphInput || graph.value(id).isInitializer) {
            std::string names;
            for (ValueId in : graph.runtimeInputs()) names += (names.empty() ? "" : ", ") + graph.value(in).name;
            return invalidArgument("--value: the model has no input named '" + name + "' (inputs: " + names + ")");
        }
        auto given = options.inputShapes.find(name);
        auto value = parseInputValues(graph.value(id),
                                      given == options.inputShapes.end() ? std::nullopt : std::optional(given->second),
                                      spec.substr(eq + 1));
        if (!value.ok()) return Status(value.status().code(), "--value: " + value.status().message());
        options.inputShapes[name] = value->shape;
        inputs[name] = value.take();
    }
    return Status::ok();
}

Status parseCommandArgs(Args& args, const std::string& command, RunOptions& o, bool& usage, const ExtraOptions& extra) {
    usage = false;
    while (!args.done()) {
        Status error;
        if (extra && extra(args, error)) {
            if (!error.isOk()) return error;
        } else if (parseRunOption(args, o, error)) {
            if (!error.isOk()) return error;
        } else if (args.peek().rfind('-', 0) == 0) {
            usage = true;
            return invalidArgument(command + ": unknown option '" + args.peek() + "'");
        } else if (o.model.empty()) {
            o.model = args.next();
        } else {
            usage = true;
            return invalidArgument(command + ": unexpected argument '" + args.peek() + "'");
        }
    }
    if (o.model.empty()) {
        usage = true;
        return invalidArgument(command + ": name a model file");
    }
    return Status::ok();
}

}  // namespace interstage::cli
