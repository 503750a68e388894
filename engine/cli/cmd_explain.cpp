// `interstage-cli explain MODEL [run options] [--json F]`: why the plan
// peaks where it does. Plans the model with run's options (nothing runs)
// and prints the peak step and node, the tensors alive there with why each
// is still alive, the bounds, the fragmentation and what each pin and each
// in-place rule costs.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "interstage/peak_explain.h"
#include "run_options.h"

namespace interstage::cli {
namespace {

nlohmann::json costsJson(const std::vector<PeakCost>& costs) {
    nlohmann::json out = nlohmann::json::array();
    for (const PeakCost& c : costs) {
        nlohmann::json entry = {{"name", c.name}, {"bytes", c.bytes}};
        if (!c.error.empty()) entry["error"] = c.error;
        out.push_back(std::move(entry));
    }
    return out;
}

nlohmann::json explanationJson(const std::string& model, const PeakExplanation& e) {
    nlohmann::json live = nlohmann::json::array();
    for (const LiveTensorAtPeak& t : e.liveAtPeak)
        live.push_back({{"name", t.name},
                        {"bytes", t.bytes},
                        {"tensor_bytes", t.tensorBytes},
                        {"reason", t.reason},
                        {"producer", t.producer},
                        {"last_reader", t.lastReader}});
    return {{"model", model},
            {"mode", e.mode},
            {"peak_step", e.peakStep},
            {"peak_node", e.peakNode},
            {"peak_op", e.peakOp},
            {"live_at_peak", std::move(live)},
            {"plan_peak_bytes", e.planPeakBytes},
            {"lower_bound_bytes", e.lowerBoundBytes},
            {"executed_lower_bound_bytes", e.executedLowerBoundBytes},
            {"aliased_lower_bound_bytes", e.aliasedLowerBoundBytes},
            {"file_order_peak_bytes", e.fileOrderPeakBytes},
            {"best_order_peak_bytes", e.bestOrderPeakBytes},
            {"buffer_peak_bytes", e.bufferPeakBytes},
            {"fragmentation_bytes", e.fragmentationBytes},
            {"pinned_cost", costsJson(e.pinnedCost)},
            {"in_place_cost", costsJson(e.inPlaceCost)}};
}

std::string signedBytes(std::int64_t bytes) {
    return (bytes < 0 ? "-" : "+") + formatBytes(static_cast<double>(bytes < 0 ? -bytes : bytes));
}

void printCosts(const std::string& title, const std::vector<PeakCost>& costs) {
    if (costs.empty()) return;
    std::cout << title << "\n";
    for (const PeakCost& c : costs)
        std::cout << "  " << std::left << std::setw(30) << c.name << " "
                  << (c.error.empty() ? signedBytes(c.bytes) : "not planned: " + c.error) << "\n";
}

void printLiveTable(const PeakExplanation& e) {
    std::cout << "alive at the peak, largest first (bytes counted at the peak; in-place members count once):\n";
    std::cout << "  " << std::left << std::setw(12) << "bytes" << std::setw(40) << "tensor"
              << "why alive\n";
    for (const LiveTensorAtPeak& t : e.liveAtPeak)
        std::cout << "  " << std::left << std::setw(12) << formatBytes(static_cast<double>(t.bytes)) << std::setw(39)
                  << t.name << ' ' << t.reason << "\n";  // a space even after a name wider than the column
}

void printExplanation(const PeakExplanation& e) {
    std::cout << "mode " << e.mode << ": plan peak " << formatBytes(static_cast<double>(e.planPeakBytes))
              << " of live tensors at step " << e.peakStep << ", node '" << e.peakNode << "' (" << e.peakOp << ")\n";
    printLiveTable(e);
    auto line = [](const std::string& label, std::size_t bytes) {
        std::cout << "  " << std::left << std::setw(55) << label << ' ' << formatBytes(static_cast<double>(bytes))
                  << "\n";
    };
    std::cout << "bounds:\n";
    line("lower bound (graph as written)", e.lowerBoundBytes);
    line("lower bound (executed graph as written)", e.executedLowerBoundBytes);
    line("lower bound (in-place rules in effect)", e.aliasedLowerBoundBytes);
    line("lower bound of the file's order (reduce, no workspace)", e.fileOrderPeakBytes);
    line("lower bound of the best order found (same)", e.bestOrderPeakBytes);
    std::cout << "fragmentation:\n";
    line("buffers at their worst step", e.bufferPeakBytes);
    line("fragmentation (buffers - live peak)", e.fragmentationBytes);
    printCosts("pinned tensors, cost at the peak:", e.pinnedCost);
    printCosts("in-place rules, what turning each off would add:", e.inPlaceCost);
}

}  // namespace

int runExplain(Args& args) {
    RunOptions o;
    bool usage = false;
    Status parsed = parseCommandArgs(args, "explain", o, usage);
    if (!parsed.isOk()) return usage ? usageError(parsed.message()) : reportError(parsed);
    SessionOptions options;
    std::map<std::string, TensorData> inputs;
    Status built = buildSessionOptions(o, options, inputs);
    if (!built.isOk()) return reportError(built);
    auto model = loadModel(o.model, loadOptionsFor(o));
    if (!model.ok()) return reportError(model.status());
    Status valued = addInputValues(o, model->graph, options, inputs);
    if (!valued.isOk()) return reportError(valued);
    auto explained = explainPeak(model.value(), options);
    if (!explained.ok()) return reportError(explained.status());
    if (explained->peakStep < 0)
        std::cout << "nothing planned before a run (shapes that depend on input values, or no intermediates)\n";
    else
        printExplanation(explained.value());
    if (!o.json.empty()) {
        std::ofstream out(o.json);
        out << std::setw(2) << explanationJson(o.model, explained.value()) << "\n";
        if (!out) return reportError(Status(StatusCode::IoError, "cannot write '" + o.json + "'"));
    }
    return 0;
}

}  // namespace interstage::cli
