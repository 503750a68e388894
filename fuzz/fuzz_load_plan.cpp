// libFuzzer target: bytes -> loader -> shape resolution -> graph passes (and
// the channel-blocking choice) -> lifetimes -> every memory planner. A
// crash, a sanitizer report, or a plan that breaks the planners' invariants
// (two tensors alive at once sharing bytes) is a finding; any error Status
// is a correct answer to bad input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "interstage/lifetimes.h"
#include "interstage/model.h"
#include "interstage/model_info.h"
#include "interstage/op_support.h"
#include "passes/blocked_layout.h"
#include "passes/execution_order.h"
#include "passes/passes.h"
#include "plan/in_place.h"
#include "plan/memory_plan.h"
#include "plan/planned_tensors.h"

using namespace interstage;

namespace {

// Small limits keep each input fast and inside libFuzzer's RSS limit:
// the loader must refuse what is bigger with a clear Status, not crash.
LoadOptions fuzzLoadOptions() {
    LoadOptions options;
    options.maxFileBytes = 1 << 20;
    options.maxTensorBytes = 16 << 20;
    options.maxNodes = 20000;
    return options;
}

// External data is resolved against an empty folder: every reference
// either fails cleanly or (with `..`, absolute paths) is refused.
const std::string& emptyDirectory() {
    static const std::string dir = [] {
        auto path = std::filesystem::temp_directory_path() / "interstage-fuzz-empty";
        std::filesystem::create_directories(path);
        return path.string();
    }();
    return dir;
}

// Whether `inner` may share bytes with `outer` while both live: it lies
// inside `outer` through Concat memberships only (a member is part of its
// Concat's output), or through a chain with an overwrite whose start
// `outer` no longer lives past (written over as it died).
bool mayShareBytes(const std::vector<TensorAlias>& aliases, const std::vector<PlannedTensor>& tensors, size_t inner,
                   size_t outer) {
    bool overwritten = false;
    for (size_t at = inner; !aliases.empty() && aliases[at].host >= 0; at = static_cast<size_t>(aliases[at].host)) {
        overwritten = overwritten || aliases[at].kind == TensorAlias::Kind::Overwrite;
        if (static_cast<size_t>(aliases[at].host) == outer)
            return !overwritten || tensors[outer].last <= tensors[inner].first;
    }
    return false;
}

// Two tensors whose lifetimes overlap must never share bytes of one buffer,
// unless one is a Concat input written in place inside the other, or was
// written over the other as it died.
void checkNoOverlap(const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan,
                    const std::vector<TensorAlias>& aliases = {}) {
    if (plan.bufferOf.size() != tensors.size() || plan.offsetOf.size() != tensors.size()) __builtin_trap();
    for (size_t i = 0; i < tensors.size(); ++i) {
        const int bi = plan.bufferOf[i];
        if (bi < 0 || static_cast<size_t>(bi) >= plan.buffers.size()) __builtin_trap();
        if (plan.offsetOf[i] + tensors[i].bytes > plan.buffers[bi].bytes) __builtin_trap();
        for (size_t j = i + 1; j < tensors.size(); ++j) {
            if (plan.bufferOf[j] != bi) continue;
            const bool livesOverlap = tensors[i].first <= tensors[j].last && tensors[j].first <= tensors[i].last;
            const bool bytesOverlap = plan.offsetOf[i] < plan.offsetOf[j] + tensors[j].bytes &&
                                      plan.offsetOf[j] < plan.offsetOf[i] + tensors[i].bytes;
            const bool nested = mayShareBytes(aliases, tensors, i, j) || mayShareBytes(aliases, tensors, j, i);
            if (livesOverlap && bytesOverlap && tensors[i].bytes && tensors[j].bytes && !nested) __builtin_trap();
        }
    }
}

// Page moves (plan/concat_pages.h): each hands a per-run buffer that ends
// at a Concat, with one tenant that the Concat reads, to a per-run buffer
// already allocated, at whole pages inside it; no two moves fill the same
// bytes, and no tenant of the destination lies in moved bytes.
void checkMoves(const Graph& graph, const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan,
                const PageRules& rules) {
    std::vector<std::pair<int, std::pair<std::size_t, std::size_t>>> filled;  // buffer, [begin, end)
    for (const PageMove& m : plan.moves) {
        if (m.from < 0 || m.into < 0 || m.from == m.into || static_cast<size_t>(m.from) >= plan.buffers.size() ||
            static_cast<size_t>(m.into) >= plan.buffers.size() || m.step < 0 ||
            static_cast<size_t>(m.step) >= graph.nodes.size())
            __builtin_trap();
        const BufferSpec& from = plan.buffers[static_cast<size_t>(m.from)];
        const BufferSpec& into = plan.buffers[static_cast<size_t>(m.into)];
        if (!from.perRun() || !into.perRun() || from.freeStep != m.step || into.allocStep > m.step ||
            !from.trims.empty())
            __builtin_trap();
        if (m.offset % rules.pageBytes || from.bytes % rules.pageBytes || m.offset + from.bytes > into.bytes ||
            from.bytes < rules.mappedFromBytes)
            __builtin_trap();
        // A buffer pages moved into is several mappings; it never moves on.
        for (const PageMove& other : plan.moves)
            if (other.into == m.from) __builtin_trap();
        const Node& concat = graph.nodes[static_cast<size_t>(m.step)];
        int tenants = 0;
        for (size_t i = 0; i < tensors.size(); ++i) {
            if (plan.bufferOf[i] == m.from && tensors[i].last >= m.step) {
                ++tenants;
                if (concat.opType != "Concat" ||
                    std::find(concat.inputs.begin(), concat.inputs.end(), tensors[i].value) == concat.inputs.end())
                    __builtin_trap();
            }
            const bool inMovedBytes = plan.bufferOf[i] == m.into && plan.offsetOf[i] < m.offset + from.bytes &&
                                      m.offset < plan.offsetOf[i] + tensors[i].bytes && tensors[i].bytes > 0;
            if (inMovedBytes && tensors[i].first < m.step && tensors[i].value != concat.outputs[0]) __builtin_trap();
        }
        if (tenants != 1) __builtin_trap();
        for (const auto& [buffer, range] : filled)
            if (buffer == m.into && range.first < m.offset + from.bytes && m.offset < range.second) __builtin_trap();
        filled.push_back({m.into, {m.offset, m.offset + from.bytes}});
    }
}

// A cut buffer (an overwriting conv's smaller output) holds no tensor past
// the bytes it keeps after the cut.
void checkTrims(const std::vector<PlannedTensor>& tensors, const MemoryPlan& plan) {
    for (size_t b = 0; b < plan.buffers.size(); ++b)
        for (const auto& [step, keep] : plan.buffers[b].trims)
            for (size_t i = 0; i < tensors.size(); ++i)
                if (plan.bufferOf[i] == static_cast<int>(b) && plan.offsetOf[i] + tensors[i].bytes > keep &&
                    tensors[i].last > step)
                    __builtin_trap();
}

// The inspection path (the app, `info`): weights may be missing and shapes
// keep going. What it lists must be consistent, and a graph the strict
// resolution accepts must have nothing unresolved.
void checkInspection(const std::string& bytes, const ShapeOptions& strict) {
    LoadOptions loadOptions = fuzzLoadOptions();
    loadOptions.weightsOptional = true;
    auto model = loadModelFromBytes(bytes, emptyDirectory(), loadOptions);
    if (!model.ok()) return;
    Graph graph = model->graph;
    for (const UnloadedWeight& w : graph.unloadedWeights)
        if (w.value < 0 || static_cast<size_t>(w.value) >= graph.values.size() || graph.value(w.value).constant)
            __builtin_trap();
    ShapeOptions options = strict;
    options.keepGoing = true;
    auto report = resolveShapes(graph, {}, options);
    if (!report.ok()) return;  // only the inputs' own shapes may stop it
    for (const UnresolvedShape& u : report->unresolved)
        if (u.node < 0 || static_cast<size_t>(u.node) >= graph.nodes.size() || graph.value(u.value).shapeResolved)
            __builtin_trap();
    (void)summarizeModel(graph);
    (void)opSupport(graph);
    Graph strictGraph = model->graph;
    if (graph.unloadedWeights.empty() && resolveShapes(strictGraph, {}, strict).ok() && !report->unresolved.empty())
        __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    ShapeOptions shapeOptions;
    shapeOptions.defaultDim = 8;  // dynamic dims stay small
    shapeOptions.maxFoldElements = 4096;
    checkInspection(bytes, shapeOptions);
    auto model = loadModelFromBytes(bytes, emptyDirectory(), fuzzLoadOptions());
    if (!model.ok()) return 0;

    Graph graph = model->graph;
    if (!resolveShapes(graph, {}, shapeOptions).ok()) return 0;
    (void)summarizeModel(graph);

    const std::set<std::string> pinned;
    RemovedValues removed;
    foldConstants(graph, pinned, removed);
    fuseHardSwish(graph, pinned, removed);
    fuseLayers(graph, pinned, removed);
    foldAffineIntoConv(graph, pinned, removed);
    fuseLayers(graph, pinned, removed);
    // Channel blocking only ever picks 4-D float intermediates with whole
    // blocks of channels, never a graph input or output.
    chooseBlockedLayouts(graph, 16, std::size_t(1) << 24, pinned);
    for (const Value& v : graph.values)
        if (v.channelBlock && (v.shape.size() != 4 || v.shape[1] % 16 != 0 || v.dtype != DataType::Float ||
                               v.isGraphInput || v.isGraphOutput || v.producer == kNoNode || v.constant))
            __builtin_trap();

    if (graph.nodes.size() > 2000) return 0;  // the pairwise check below is quadratic
    // The memory-aware order is a permutation of the nodes in which every
    // value is produced before it is read, and never plans a higher peak.
    const size_t nodesBefore = graph.nodes.size();
    InPlaceOptions orderOptions;
    orderOptions.stripedConv = [](const Graph& g, size_t step) { return g.nodes[step].opType == "Conv"; };
    static const PageRules smallPages{64, 64};
    orderOptions.pages = &smallPages;
    orderOptions.movePages = true;
    const ExecutionOrderReport order = orderForMemory(graph, pinned, orderOptions);
    if (graph.nodes.size() != nodesBefore || order.chosenPeak > order.fileOrderPeak) __builtin_trap();
    for (size_t n = 0; n < graph.nodes.size(); ++n)
        for (ValueId id : graph.nodes[n].inputs)
            if (id != kNoValue && graph.value(id).producer != kNoNode &&
                static_cast<size_t>(graph.value(id).producer) >= n)
                __builtin_trap();

    const auto tensors = plannedIntermediates(graph);
    if (tensors.size() > 2000) return 0;  // the pairwise check is quadratic
    const int steps = static_cast<int>(graph.nodes.size());
    for (const char* name : {"default", "reduce", "reuse", "reduce+reuse", "arena"}) {
        auto mode = MemoryMode::parse(name);
        if (!mode.ok()) __builtin_trap();
        const MemoryPlan plan = planFor(mode.value(), tensors);
        checkNoOverlap(tensors, plan);
        // Page rules shrunk to 64 bytes so that the fuzzer's small tensors
        // move; every Conv taken for one that may write over its input.
        static const PageRules smallPages{64, 64};
        InPlaceOptions options;
        options.stripedConv = [](const Graph& g, size_t step) { return g.nodes[step].opType == "Conv"; };
        if (mode.value().allocatesPerRun()) options.pages = &smallPages;
        options.movePages = true;
        const auto aliases = inPlaceAliases(graph, tensors, options);
        const MemoryPlan inPlace = planWithAliases(mode.value(), tensors, aliases);
        checkNoOverlap(tensors, inPlace, aliases);
        // The session never takes an in-place plan with a higher peak.
        const MemoryPlan session = planInPlace(mode.value(), graph, tensors, options);
        if (plannedPeakBytes(session, steps) > plannedPeakBytes(plan, steps)) __builtin_trap();
        checkMoves(graph, tensors, session, smallPages);
        checkTrims(tensors, session);
        checkTrims(tensors, inPlace);
    }
    return 0;
}
