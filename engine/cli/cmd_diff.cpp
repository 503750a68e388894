// `interstage-cli diff MODEL --a MODE[,options] --b MODE[,options]`: two
// plans of one model side by side, planned without running: both peaks,
// buffers and allocations per run, and a per-tensor table (buffer and
// offset, life, sharing), the tensors that make the peak difference first.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "interstage/live_peak.h"
#include "interstage/plan_diff.h"
#include "run_options.h"

namespace interstage::cli {
namespace {

constexpr int kDefaultRows = 20;

// What follows the mode in --a / --b: the switches that change a plan.
// Each is the run option of the same name (--no-fusion, --keep NAME ...).
Status applyPlanOption(const std::string& item, RunOptions& o) {
    const std::pair<const char*, std::vector<bool*>> switches[] = {
        {"no-fusion", {&o.noFusion}},
        {"no-in-place-concat", {&o.noInPlaceConcat}},
        {"no-in-place-ops", {&o.noInPlaceOps}},
        {"no-in-place", {&o.noInPlaceConcat, &o.noInPlaceOps}},
        {"no-blocked-layout", {&o.noBlockedLayout}},
        {"file-order", {&o.fileOrder}},
        {"reduce-constant", {&o.reduceConstant}},
    };
    for (const auto& [name, flags] : switches)
        if (item == name) {
            for (bool* flag : flags) *flag = true;
            return Status::ok();
        }
    if (item.rfind("keep=", 0) == 0 && item.size() > 5) {
        o.keep.push_back(item.substr(5));
        return Status::ok();
    }
    return invalidArgument("diff: unknown plan option '" + item +
                           "' (known: no-fusion, no-in-place-concat, no-in-place-ops, no-in-place, "
                           "no-blocked-layout, file-order, reduce-constant, keep=NAME)");
}

// "reduce,no-fusion,keep=x" on top of the shared run options.
Result<RunOptions> sideOptions(const RunOptions& shared, const std::string& spec, const char* flag) {
    RunOptions o = shared;
    std::stringstream items(spec);
    std::string item;
    bool first = true;
    while (std::getline(items, item, ',')) {
        if (first) {
            if (item.empty()) return invalidArgument(std::string("diff: ") + flag + " needs a mode, e.g. reduce");
            o.mode = item;
            first = false;
        } else {
            IS_RETURN_IF_ERROR(applyPlanOption(item, o));
        }
    }
    if (first) return invalidArgument(std::string("diff: ") + flag + " needs a mode, e.g. reduce");
    return o;
}

// The plan's label: the mode as the engine names it, then the options.
std::string labelOf(const SessionOptions& s) {
    std::string label = s.mode.name();
    if (!s.fusion) label += ",no-fusion";
    if (!s.inPlaceConcat) label += ",no-in-place-concat";
    if (!s.inPlaceOps) label += ",no-in-place-ops";
    if (!s.blockedLayout) label += ",no-blocked-layout";
    if (!s.memoryAwareOrder) label += ",file-order";
    for (const std::string& k : s.keep) label += ",keep=" + k;
    return label;
}

struct PlannedSide {
    std::vector<TensorPlacement> map;
    std::vector<std::string> nodeNames;  // by step
    PlanSideSummary summary;
};

// Loads and plans (Session::create plans; nothing runs), then lets the
// session go so that the two plans' weights are never held together.
Result<PlannedSide> planSide(const RunOptions& o) {
    SessionOptions options;
    std::map<std::string, TensorData> inputs;
    IS_RETURN_IF_ERROR(buildSessionOptions(o, options, inputs));
    auto model = loadModel(o.model, loadOptionsFor(o));
    if (!model.ok()) return model.status();
    IS_RETURN_IF_ERROR(addInputValues(o, model->graph, options, inputs));
    auto created = Session::create(model.take(), options);
    if (!created.ok()) return created.status();
    const Session& session = *created.value();
    PlannedSide side;
    side.map = session.memoryMap();
    for (const Node& node : session.executedGraph().nodes) side.nodeNames.push_back(node.name);
    side.summary.mode = labelOf(options);
    side.summary.planPeakBytes = session.plannedPeakBytes();
    return side;
}

std::string placeText(const TensorSide& s) {
    if (!s.present) return "-";
    std::ostringstream t;
    t << "#" << s.buffer;
    if (s.offset) t << "+" << formatBytes(static_cast<double>(s.offset));
    t << " [" << s.first << "," << s.last << "]" << (s.shared ? " shared" : "");
    return t.str();
}

// "2.5 MiB>15.0 MiB" where the plans size a tensor differently (a
// kernel's scratch grows when the input it would write over is pinned).
std::string bytesText(const TensorDiff& t) {
    if (t.a.present && t.b.present && t.a.bytes != t.b.bytes)
        return formatBytes(static_cast<double>(t.a.bytes)) + ">" + formatBytes(static_cast<double>(t.b.bytes));
    return formatBytes(static_cast<double>(t.bytes));
}

void printSide(const char* tag, const PlanSideSummary& s, const std::vector<std::string>& nodes) {
    const bool atNode = s.livePeakStep >= 0 && static_cast<std::size_t>(s.livePeakStep) < nodes.size();
    std::cout << tag << ": " << s.mode << ": planned peak " << formatBytes(static_cast<double>(s.planPeakBytes))
              << ", live peak " << formatBytes(static_cast<double>(s.livePeakBytes)) << " at step " << s.livePeakStep
              << (atNode ? " ('" + nodes[static_cast<std::size_t>(s.livePeakStep)] + "')" : std::string()) << ", "
              << s.buffers << " buffers, " << s.allocationsPerRun << " allocated per run\n";
}

// "b's live peak is 16.3 MiB above a's (planned peak: +16.3 MiB)".
void printPeakDifference(const PlanDiff& diff) {
    auto signedBytes = [](std::size_t from, std::size_t to) {
        const double delta = static_cast<double>(to) - static_cast<double>(from);
        return (delta < 0 ? "-" : "+") + formatBytes(delta < 0 ? -delta : delta);
    };
    std::cout << "b - a: live peak " << signedBytes(diff.a.livePeakBytes, diff.b.livePeakBytes) << ", planned peak "
              << signedBytes(diff.a.planPeakBytes, diff.b.planPeakBytes) << ", buffers "
              << (diff.b.buffers - diff.a.buffers >= 0 ? "+" : "") << diff.b.buffers - diff.a.buffers
              << ", allocations per run " << (diff.b.allocationsPerRun - diff.a.allocationsPerRun >= 0 ? "+" : "")
              << diff.b.allocationsPerRun - diff.a.allocationsPerRun << "\n";
}

void printTable(const PlanDiff& diff, int rows) {
    int atPeak = 0;
    for (const TensorDiff& t : diff.tensors) atPeak += t.differs && t.atPeak ? 1 : 0;
    std::cout << diff.tensors.size() << " tensors in either plan, " << diff.differing << " differ, " << atPeak
              << " of them alive at a live peak (listed first)\n";
    std::cout << std::left << std::setw(41) << "tensor" << std::right << std::setw(19) << "bytes"
              << "  " << std::left << std::setw(34) << "a: buffer+offset [life]"
              << "b: buffer+offset [life]\n";
    const std::size_t shown = rows < 0 ? diff.tensors.size() : std::min<std::size_t>(rows, diff.tensors.size());
    for (std::size_t i = 0; i < shown; ++i) {
        const TensorDiff& t = diff.tensors[i];
        const std::string mark = t.differs ? (t.atPeak ? "* " : "  ") : "= ";
        std::cout << std::left << std::setw(41) << mark + t.name + " " << std::right << std::setw(19) << bytesText(t)
                  << "  " << std::left << std::setw(34) << placeText(t.a) << placeText(t.b) << "\n";
    }
    if (shown < diff.tensors.size())
        std::cout << "(" << diff.tensors.size() - shown << " more rows; --all lists every tensor)\n";
    std::cout << "*: alive at a live peak and placed differently; =: the same in both plans" << std::endl;
}

nlohmann::json sideJson(const TensorSide& s, std::size_t (*pick)(const TensorSide&)) {
    return s.present ? nlohmann::json(pick(s)) : nlohmann::json(nullptr);
}

nlohmann::json summaryJson(const PlanSideSummary& s) {
    // plan_peak_bytes is the plan's live peak, as `explain` names it (its
    // live_at_peak sums to it); planned_peak_bytes what the guard checks.
    return {{"mode", s.mode},
            {"plan_peak_bytes", s.livePeakBytes},
            {"planned_peak_bytes", s.planPeakBytes},
            {"live_peak_bytes", s.livePeakBytes},
            {"live_peak_step", s.livePeakStep},
            {"allocations_per_run", s.allocationsPerRun},
            {"buffers", s.buffers},
            {"tensors", s.tensors}};
}

// A tensor absent from a plan has null offset, buffer, life and shared there.
nlohmann::json tensorJson(const TensorDiff& t) {
    auto life = [](const TensorSide& s) {
        return s.present ? nlohmann::json::array({s.first, s.last}) : nlohmann::json(nullptr);
    };
    auto offset = [](const TensorSide& s) { return s.offset; };
    auto bytes = [](const TensorSide& s) { return s.bytes; };
    auto buffer = [](const TensorSide& s) { return static_cast<std::size_t>(s.buffer); };
    auto shared = [](const TensorSide& s) { return s.present ? nlohmann::json(s.shared) : nlohmann::json(nullptr); };
    return {{"name", t.name},
            {"bytes", t.bytes},
            {"a_offset", sideJson(t.a, offset)},
            {"b_offset", sideJson(t.b, offset)},
            {"a_life", life(t.a)},
            {"b_life", life(t.b)},
            {"a_buffer", sideJson(t.a, buffer)},
            {"b_buffer", sideJson(t.b, buffer)},
            {"a_shared", shared(t.a)},
            {"b_shared", shared(t.b)},
            {"a_bytes", sideJson(t.a, bytes)},
            {"b_bytes", sideJson(t.b, bytes)},
            {"in_a", t.a.present},
            {"in_b", t.b.present},
            {"at_peak", t.atPeak},
            {"differs", t.differs}};
}

Status writeDiffJson(const std::string& path, const std::string& model, const PlanDiff& diff) {
    nlohmann::json tensors = nlohmann::json::array();
    for (const TensorDiff& t : diff.tensors) tensors.push_back(tensorJson(t));
    const nlohmann::json doc = {{"model", model},
                                {"a", summaryJson(diff.a)},
                                {"b", summaryJson(diff.b)},
                                {"differing", diff.differing},
                                {"tensors", std::move(tensors)}};
    std::ofstream out(path);
    out << std::setw(2) << doc << "\n";
    return out ? Status::ok() : Status(StatusCode::IoError, "cannot write '" + path + "'");
}

struct DiffArgs {
    std::string a, b;
    int rows = kDefaultRows;  // -1: every row
    RunOptions shared;
};

// Takes --a, --b, --all and --rows out; the rest are the run options.
Status parseDiffArgs(Args& args, DiffArgs& d, bool& usage) {
    std::vector<std::string> rest;
    Status error;
    std::string rows;
    while (!args.done()) {
        if (args.option("--a", d.a, error) || args.option("--b", d.b, error) || args.option("--rows", rows, error)) {
            if (!error.isOk()) {
                usage = true;
                return error;
            }
        } else if (args.flag("--all")) {
            d.rows = -1;
        } else {
            rest.push_back(args.next());
        }
    }
    if (!rows.empty()) {
        char* stop = nullptr;
        const long n = std::strtol(rows.c_str(), &stop, 10);
        if (*stop != '\0' || n < 0 || n > 1000000) {
            usage = true;
            return invalidArgument("diff: --rows must be a whole number, not '" + rows + "'");
        }
        if (d.rows >= 0) d.rows = static_cast<int>(n);
    }
    std::vector<char*> argv;
    argv.reserve(rest.size());
    for (std::string& s : rest) argv.push_back(s.data());
    Args runArgs(static_cast<int>(argv.size()), argv.data(), 0);
    IS_RETURN_IF_ERROR(parseCommandArgs(runArgs, "diff", d.shared, usage));
    usage = true;
    if (d.a.empty() || d.b.empty()) return invalidArgument("diff: give both plans, e.g. --a reduce --b arena");
    if (d.shared.mode != "default") return invalidArgument("diff: the modes go in --a and --b, not --mode");
    if (d.shared.runs != 1 || !d.shared.trace.empty() || !d.shared.saveOutputs.empty() || !d.shared.session.empty())
        return invalidArgument(
            "diff plans without running: --runs, --trace, --save-outputs and --session do not apply");
    usage = false;
    return Status::ok();
}

}  // namespace

int runDiff(Args& args) {
    DiffArgs d;
    bool usage = false;
    Status parsed = parseDiffArgs(args, d, usage);
    if (!parsed.isOk()) return usage ? usageError(parsed.message()) : reportError(parsed);
    auto optionsA = sideOptions(d.shared, d.a, "--a");
    if (!optionsA.ok()) return usageError(optionsA.status().message());
    auto optionsB = sideOptions(d.shared, d.b, "--b");
    if (!optionsB.ok()) return usageError(optionsB.status().message());
    auto a = planSide(optionsA.value());
    if (!a.ok()) return reportError(Status(a.status().code(), "plan a (" + d.a + "): " + a.status().message()));
    auto b = planSide(optionsB.value());
    if (!b.ok()) return reportError(Status(b.status().code(), "plan b (" + d.b + "): " + b.status().message()));
    PlanDiff diff = diffPlans(a->map, b->map);
    diff.a.mode = a->summary.mode;
    diff.a.planPeakBytes = a->summary.planPeakBytes;
    diff.b.mode = b->summary.mode;
    diff.b.planPeakBytes = b->summary.planPeakBytes;
    std::cout << "plans only, nothing run; planned peak: weights, tensors, workspace and inputs as checked against "
                 "the budget; live peak: the planned tensors alive together\n";
    printSide("a", diff.a, a->nodeNames);
    printSide("b", diff.b, b->nodeNames);
    printPeakDifference(diff);
    printTable(diff, d.rows);
    if (!d.shared.json.empty()) {
        Status written = writeDiffJson(d.shared.json, d.shared.model, diff);
        if (!written.isOk()) return reportError(written);
    }
    return 0;
}

}  // namespace interstage::cli
