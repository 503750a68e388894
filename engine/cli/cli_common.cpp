#include "cli_common.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "interstage/live_peak.h"

namespace interstage::cli {

int reportError(const Status& status) {
    // The engine's ways out, as this program's flags (once: withCliFlags
    // returns a status that offers nothing more).
    std::string line = withCliFlags(status, "NAME").toString();
    for (char& c : line)
        if (c == '\n' || c == '\r') c = ' ';
    std::cerr << "interstage-cli: " << line << "\n";
    return status.code() == StatusCode::InvalidArgument ? kExitUsage : kExitFailure;
}

Status withCliFlags(const Status& status, const std::string& tensor) {
    std::vector<std::string> flags;
    if (status.offers(Remedy::PinTensor)) flags.push_back("--keep " + tensor);
    if (status.offers(Remedy::DefaultMode)) flags.push_back("--mode default");
    if (status.offers(Remedy::DisableFusion)) flags.push_back("--no-fusion");
    if (status.offers(Remedy::KeepFileWeights)) flags.push_back("no --reduce-constant");
    if (status.offers(Remedy::SetInputShape)) flags.push_back("--input NAME=DIMS");
    if (status.offers(Remedy::AllowOtherDims)) flags.push_back("--allow-other-dims");
    if (flags.empty()) return status;
    std::string text;
    for (const auto& f : flags) text += (text.empty() ? "" : ", ") + f;
    return Status(status.code(), status.message() + " (" + text + ")");
}

int usageError(const std::string& message) {
    std::cerr << "interstage-cli: " << message << " (see interstage-cli --help)\n";
    return kExitUsage;
}

Args::Args(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) args_.emplace_back(argv[i]);
}

bool Args::option(const std::string& opt, std::string& value, Status& error) {
    if (done()) return false;
    const std::string& arg = args_[pos_];
    if (arg == opt) {
        if (pos_ + 1 >= args_.size()) {
            error = invalidArgument("option " + opt + " needs a value");
            ++pos_;
            return true;
        }
        value = args_[pos_ + 1];
        pos_ += 2;
        return true;
    }
    if (arg.rfind(opt + "=", 0) == 0) {
        value = arg.substr(opt.size() + 1);
        ++pos_;
        return true;
    }
    return false;
}

bool Args::flag(const std::string& opt) {
    if (done() || args_[pos_] != opt) return false;
    ++pos_;
    return true;
}

Result<LoadedModel> loadWithShapes(const std::string& path, const std::vector<std::string>& inputSpecs) {
    InputShapes shapes;
    for (const auto& spec : inputSpecs) {
        auto parsed = parseInputSpec(spec);
        if (!parsed.ok()) return parsed.status();
        shapes[parsed->first] = parsed->second;
    }
    // Inspection never stops at what only running needs: weights whose
    // external data is missing, or shapes that cannot be found.
    LoadOptions loadOptions;
    loadOptions.weightsOptional = true;
    auto model = loadModel(path, loadOptions);
    if (!model.ok()) return model.status();
    LoadedModel loaded{model.take(), {}};
    ShapeOptions shapeOptions;
    shapeOptions.keepGoing = true;
    auto report = resolveShapes(loaded.model.graph, shapes, shapeOptions);
    if (!report.ok()) return report.status();
    loaded.shapes = report.take();
    return loaded;
}

std::string describeFallback(const std::vector<std::string>& nodes) {
    constexpr size_t kNamed = 6;
    std::string text = "note: " + std::to_string(nodes.size()) + (nodes.size() == 1 ? " node runs" : " nodes run") +
                       " on the CPU for want of a Vulkan shader (their tensors are copied between host and device): ";
    for (size_t i = 0; i < nodes.size() && i < kNamed; ++i) text += (i ? ", " : "") + nodes[i];
    if (nodes.size() > kNamed) text += " and " + std::to_string(nodes.size() - kNamed) + " more";
    return text;
}

std::string describeLivePeak(const Session& session) {
    const std::vector<TensorPlacement> map = session.memoryMap();
    const LivePeak peak = peakOfLiveTensors(map);
    if (peak.step < 0) return "live tensors: none planned";
    const Graph& graph = session.executedGraph();
    std::string text = "live tensors peak " + formatBytes(peak.bytes) + " at step " + std::to_string(peak.step);
    if (static_cast<size_t>(peak.step) < graph.nodes.size()) {
        const Node& node = graph.nodes[static_cast<size_t>(peak.step)];
        text += ", node '" + node.name + "' (" + node.opType + ")";
    }
    constexpr size_t kNamed = 5;
    std::size_t restBytes = 0;
    for (size_t i = 0; i < peak.tensors.size(); ++i) {
        const TensorPlacement& p = map[peak.tensors[i]];
        if (i < kNamed)
            text += std::string(i ? ", " : ": ") + p.name + " " + formatBytes(p.bytes);
        else
            restBytes += p.bytes;
    }
    if (peak.tensors.size() > kNamed)
        text += " and " + std::to_string(peak.tensors.size() - kNamed) + " more (" + formatBytes(restBytes) + ")";
    return text;
}

std::string describeExecutionOrder(const Session& session) {
    const Session::ExecutionOrder order = session.executionOrder();
    if (!session.options().memoryAwareOrder) return "execution order: the file's (--file-order)";
    if (order.nodesMoved == 0)
        return "execution order: the file's (no memory-aware order lowers its live peak of " +
               formatBytes(order.fileOrderPeakBytes) + ")";
    return "execution order: memory-aware, " + std::to_string(order.nodesMoved) + " nodes moved; planned live peak " +
           formatBytes(order.peakBytes) + " (file order " + formatBytes(order.fileOrderPeakBytes) + ")";
}

}  // namespace interstage::cli
