// `interstage-cli fit MODEL --budget 200M --sweep NAME=1x3xSxS --range
// 64:1024:32`: every preset planned at every size (nothing runs), the peak
// the memory guard would check at each, and the largest size that fits.
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_common.h"
#include "interstage/plan_sweep.h"

namespace interstage::cli {
namespace {

struct FitOptions {
    std::string model;
    std::string sweep;  // NAME=1x3xSxS
    std::string range = "64:1024:32";
    std::string presets;  // default,reduce,...; empty: all
    std::string json;
    std::size_t budget = 0;
    std::vector<std::string> inputSpecs;  // the other inputs' shapes
    int threads = 0;
};

// "200M", "1.5G", "512K" or bytes (binary units), as --max-memory reads it.
Result<std::size_t> parseBudget(const std::string& value) {
    std::size_t bytes = 0;
    if (!parseByteSize(value, bytes))
        return invalidArgument("--budget '" + value + "' must be a size such as 200M or 1.5G");
    return bytes;
}

std::vector<std::string> splitCommas(const std::string& text) {
    std::vector<std::string> parts;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, ',');)
        if (!part.empty()) parts.push_back(part);
    return parts;
}

Status parseFitArgs(Args& args, FitOptions& o) {
    while (!args.done()) {
        Status error;
        std::string value;
        if (args.option("--budget", value, error)) {
            IS_RETURN_IF_ERROR(error);
            IS_ASSIGN_OR_RETURN(o.budget, parseBudget(value));
        } else if (args.option("--sweep", o.sweep, error) || args.option("--range", o.range, error) ||
                   args.option("--presets", o.presets, error) || args.option("--json", o.json, error)) {
            IS_RETURN_IF_ERROR(error);
        } else if (args.option("--input", value, error)) {
            IS_RETURN_IF_ERROR(error);
            o.inputSpecs.push_back(value);
        } else if (args.option("--threads", value, error)) {
            IS_RETURN_IF_ERROR(error);
            o.threads = std::atoi(value.c_str());
        } else if (args.peek().rfind('-', 0) == 0) {
            return invalidArgument("fit: unknown option '" + args.peek() + "'");
        } else if (o.model.empty()) {
            o.model = args.next();
        } else {
            return invalidArgument("fit: one model only (got '" + o.model + "' and '" + args.peek() + "')");
        }
    }
    if (o.model.empty()) return invalidArgument("fit: no model given");
    if (o.sweep.empty()) return invalidArgument("fit: --sweep NAME=1x3xSxS is needed (the input and its dims)");
    return Status::ok();
}

nlohmann::json sweepJson(const PlanSweep& sweep) {
    nlohmann::json presets = nlohmann::json::array();
    for (const PresetSweep& preset : sweep.presets) {
        nlohmann::json points = nlohmann::json::array();
        for (const SweepPoint& p : preset.points) {
            nlohmann::json point = {{"size", p.size},
                                    {"peak_bytes", p.planned() ? nlohmann::json(p.peakBytes) : nlohmann::json()}};
            if (!p.planned()) point["error"] = p.error;
            points.push_back(point);
        }
        presets.push_back(
            {{"mode", preset.mode},
             {"points", points},
             {"largest_fitting", preset.largestFitting ? nlohmann::json(*preset.largestFitting) : nlohmann::json()}});
    }
    nlohmann::json out = {{"budget_bytes", sweep.budgetBytes},
                          {"peak",
                           "the memory guard's planned peak (weights + planned tensors + workspace + "
                           "inputs), as run --max-memory checks it"},
                          {"presets", presets}};
    if (!sweep.declaredShape.empty()) out["declared_shape"] = sweep.declaredShape;
    return out;
}

std::string mib(std::size_t bytes) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << double(bytes) / (1024.0 * 1024.0);
    return s.str();
}

void printTable(const PlanSweep& sweep) {
    std::cout << "peak MiB (weights + planned tensors + workspace + inputs, as --max-memory checks it)\n";
    std::cout << std::setw(8) << "size";
    for (const PresetSweep& preset : sweep.presets) std::cout << std::setw(14) << preset.mode;
    std::cout << "\n";
    const size_t rows = sweep.presets.empty() ? 0 : sweep.presets.front().points.size();
    for (size_t r = 0; r < rows; ++r) {
        std::cout << std::setw(8) << sweep.presets.front().points[r].size;
        for (const PresetSweep& preset : sweep.presets) {
            const SweepPoint& p = preset.points[r];
            const bool fits = sweep.budgetBytes && p.planned() && p.peakBytes <= sweep.budgetBytes;
            std::cout << std::setw(14) << (p.planned() ? mib(p.peakBytes) + (fits ? " " : "*") : "-");
        }
        std::cout << "\n";
    }
    for (const PresetSweep& preset : sweep.presets)
        for (const SweepPoint& p : preset.points)
            if (!p.planned()) {
                std::cout << "size " << p.size << " does not plan: " << p.error << "\n";
                break;
            }
}

void printLargest(const PlanSweep& sweep) {
    if (!sweep.budgetBytes) return;
    std::cout << "budget " << formatBytes(double(sweep.budgetBytes)) << " (" << sweep.budgetBytes
              << " bytes; * above it); largest size that fits:\n";
    for (const PresetSweep& preset : sweep.presets)
        std::cout << "  " << std::left << std::setw(14) << preset.mode << std::right
                  << (preset.largestFitting ? std::to_string(*preset.largestFitting) : std::string("none")) << "\n";
}

}  // namespace

int runFit(Args& args) {
    FitOptions o;
    if (Status parsed = parseFitArgs(args, o); !parsed.isOk()) return usageError(parsed.message());
    auto spec = parseSweep(o.sweep, o.range);
    if (!spec.ok()) return reportError(spec.status());
    auto model = loadModel(o.model);
    if (!model.ok()) return reportError(model.status());
    SweepOptions options;
    options.presets = splitCommas(o.presets);
    options.budgetBytes = o.budget;
    options.threads = o.threads;
    for (const std::string& text : o.inputSpecs) {
        auto input = parseInputSpec(text);
        if (!input.ok()) return reportError(input.status());
        options.otherInputs[input->first] = input->second;
    }
    auto sweep = sweepPlans(model.value(), spec.value(), options);
    if (!sweep.ok()) return reportError(sweep.status());
    if (!sweep->declaredShape.empty())
        std::cout << "note: the model declares " << spec->input << " as " << sweep->declaredShape
                  << "; other sizes are planned here, and a run at one needs --allow-other-dims\n";
    printTable(sweep.value());
    printLargest(sweep.value());
    if (!o.json.empty()) {
        std::ofstream out(o.json);
        out << sweepJson(sweep.value()).dump(2) << "\n";
        if (!out) return reportError(Status(StatusCode::IoError, "cannot write " + o.json));
    }
    return 0;
}

}  // namespace interstage::cli
