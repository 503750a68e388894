#include "passes/execution_order.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <tuple>
#include <vector>

#include "passes/reordered_graph.h"
#include "plan/planned_tensors.h"

namespace interstage {

namespace {

// The bytes a planner gives this value: node outputs that are tensors and
// not known before running (the same filter as plannedIntermediates).
std::size_t plannedBytes(const Value& v) {
    if (v.producer == kNoNode || !v.isTensor || (v.isWeight() && v.constant)) return 0;
    return v.byteSize();
}

std::vector<ValueId> distinctReads(const Node& node) {
    std::vector<ValueId> reads;
    for (const auto* list : {&node.inputs, &node.implicitInputs})
        for (ValueId id : *list)
            if (id != kNoValue && std::find(reads.begin(), reads.end(), id) == reads.end()) reads.push_back(id);
    return reads;
}

// Node dependencies of the incoming graph (node ids are its indices).
struct Dependencies {
    std::vector<std::vector<NodeId>> predecessors, successors;
    explicit Dependencies(const Graph& graph) : predecessors(graph.nodes.size()), successors(graph.nodes.size()) {
        for (size_t i = 0; i < graph.nodes.size(); ++i)
            for (ValueId id : distinctReads(graph.nodes[i])) {
                const NodeId p = graph.value(id).producer;
                auto& preds = predecessors[i];
                if (p == kNoNode || std::find(preds.begin(), preds.end(), p) != preds.end()) continue;
                preds.push_back(p);
                successors[static_cast<size_t>(p)].push_back(static_cast<NodeId>(i));
            }
    }
};

// Which node runs next when several free at least what they allocate: the
// one that frees most, the earliest in the incoming order, or the one
// allocating least while it runs (its inputs are freed only after it, so a
// big Conv that frees its big input still adds its output on top).
// LeastNet applies MostFreed to every step, freeing or not (plain greedy).
enum class EagerPick { MostFreed, Earliest, SmallestOutput, LeastNet };

// A list schedule: among ready nodes, one that frees at least the bytes it
// allocates, chosen as EagerPick says; when none does, the earliest in the
// incoming order (LeastNet: the one adding least).
std::vector<NodeId> greedyOrder(const Graph& graph, const Dependencies& deps, const std::set<std::string>& pinned,
                                EagerPick eager) {
    const size_t n = graph.nodes.size();
    std::vector<size_t> waitingOn(n);
    for (size_t i = 0; i < n; ++i) waitingOn[i] = deps.predecessors[i].size();
    std::vector<int> readersLeft(graph.values.size(), 0);  // each node counted once
    for (size_t i = 0; i < n; ++i)
        for (ValueId id : distinctReads(graph.nodes[i])) ++readersLeft[static_cast<size_t>(id)];
    auto kept = [&](const Value& v) { return v.isGraphOutput || pinned.count(v.name) > 0; };
    auto outputBytes = [&](NodeId node) {
        long long bytes = 0;
        for (ValueId id : graph.nodes[static_cast<size_t>(node)].outputs)
            if (id != kNoValue) bytes += static_cast<long long>(plannedBytes(graph.value(id)));
        return bytes;
    };
    auto netBytes = [&](NodeId node) {
        long long net = outputBytes(node);
        for (ValueId id : distinctReads(graph.nodes[static_cast<size_t>(node)])) {
            const Value& v = graph.value(id);
            if (readersLeft[static_cast<size_t>(id)] == 1 && !kept(v)) net -= static_cast<long long>(plannedBytes(v));
        }
        return net;
    };

    std::vector<NodeId> ready;
    for (size_t i = 0; i < n; ++i)
        if (waitingOn[i] == 0) ready.push_back(static_cast<NodeId>(i));
    std::vector<NodeId> order;
    order.reserve(n);
    while (!ready.empty()) {
        size_t pick = 0;
        long long bestNet = std::numeric_limits<long long>::max();
        for (size_t k = 0; k < ready.size(); ++k) {
            const long long net = netBytes(ready[k]);
            bool better = k == 0;
            if (eager == EagerPick::MostFreed || eager == EagerPick::LeastNet)
                better = better || net < bestNet || (net == bestNet && ready[k] < ready[pick]);
            else if (net <= 0 && bestNet > 0)
                better = true;
            else if (net <= 0 && eager == EagerPick::Earliest)
                better = better || ready[k] < ready[pick];
            else if (net <= 0) {
                const long long a = outputBytes(ready[k]), b = outputBytes(ready[pick]);
                better = better || a < b || (a == b && ready[k] < ready[pick]);
            }
            if (better) bestNet = net, pick = k;
        }
        if (bestNet > 0 && eager != EagerPick::LeastNet)
            pick = static_cast<size_t>(std::min_element(ready.begin(), ready.end()) - ready.begin());
        const NodeId node = ready[pick];
        ready.erase(ready.begin() + static_cast<std::ptrdiff_t>(pick));
        order.push_back(node);
        for (ValueId id : distinctReads(graph.nodes[static_cast<size_t>(node)])) --readersLeft[static_cast<size_t>(id)];
        for (NodeId s : deps.successors[static_cast<size_t>(node)])
            if (--waitingOn[static_cast<size_t>(s)] == 0) ready.push_back(s);
    }
    return order;  // shorter than n only for a cyclic graph, which loading refuses
}

// An order as the reduce planner sees it.
struct Evaluation {
    std::size_t peak = 0;         // planned peak of live bytes (what the report compares)
    unsigned long long area = 0;  // sum over steps of live bytes: breaks ties between equal peaks
    // The steps holding most (the peak first, then the next highest: a
    // kernel's workspace, unknown here, can make one of those the real
    // peak) and, for each, the tensors whose buffer is held then (Concat
    // members included).
    std::vector<std::pair<int, std::vector<ValueId>>> peaks;
    bool operator<(const Evaluation& o) const { return std::tie(peak, area) < std::tie(o.peak, o.area); }
};

Evaluation evaluate(const Graph& reordered, const std::set<std::string>& pinned, const InPlaceOptions& inPlace) {
    const std::vector<PlannedTensor> tensors = plannedIntermediates(reordered, pinned);
    MemoryMode reduce;
    reduce.planner = PlannerKind::Reduce;
    const MemoryPlan plan = inPlace.concat || inPlace.ops || inPlace.stripedConv
                                ? planInPlace(reduce, reordered, tensors, inPlace)
                                : planFor(reduce, tensors);
    const int steps = static_cast<int>(reordered.nodes.size());
    Evaluation e;
    const std::vector<std::size_t> bytesAt = plannedBytesPerStep(plan, steps);
    for (int s = 0; s < steps; ++s) {
        e.area += bytesAt[static_cast<size_t>(s)];
        e.peak = std::max(e.peak, bytesAt[static_cast<size_t>(s)]);
    }
    constexpr size_t kPeakStepsLooked = 6;
    std::vector<int> highest(static_cast<size_t>(steps));
    for (int s = 0; s < steps; ++s) highest[static_cast<size_t>(s)] = s;
    const size_t looked = std::min(kPeakStepsLooked, highest.size());
    std::partial_sort(highest.begin(), highest.begin() + static_cast<std::ptrdiff_t>(looked), highest.end(),
                      [&](int a, int b) {
                          const auto x = bytesAt[static_cast<size_t>(a)], y = bytesAt[static_cast<size_t>(b)];
                          return x != y ? x > y : a < b;
                      });
    const std::vector<int> lastHeld = lastHeldSteps(plan, steps);
    for (size_t k = 0; k < looked; ++k) {
        const int s = highest[k];
        std::vector<ValueId> alive;
        for (size_t i = 0; i < tensors.size(); ++i) {
            const auto buffer = static_cast<size_t>(plan.bufferOf[i]);
            const BufferSpec& b = plan.buffers[buffer];
            if (!b.perRun() || (b.allocStep <= s && s <= lastHeld[buffer])) alive.push_back(tensors[i].value);
        }
        e.peaks.emplace_back(s, std::move(alive));
    }
    return e;
}

// Moves node `from` (a position in order) to position `to`.
std::vector<NodeId> moved(std::vector<NodeId> order, size_t from, size_t to) {
    const NodeId node = order[from];
    order.erase(order.begin() + static_cast<std::ptrdiff_t>(from));
    order.insert(order.begin() + static_cast<std::ptrdiff_t>(to), node);
    return order;
}

// Each move's evaluation, in the moves' order. They are independent (each
// thread puts its own copy of the graph in the move's order and plans it),
// so the session's threads share them: this search is most of a session's
// set-up on graphs of a few hundred nodes (U^2-Net-P), and the pick below
// stays the sequential one.
std::vector<Evaluation> evaluateMoves(const Graph& graph, const std::vector<NodeId>& order,
                                      const std::vector<std::pair<size_t, size_t>>& moves,
                                      const std::set<std::string>& pinned, const InPlaceOptions& inPlace) {
    std::vector<Evaluation> tries(moves.size());
    const auto count = static_cast<std::ptrdiff_t>(moves.size());
    const bool reuseCopy = ReorderedCopy::usable(graph);
#pragma omp parallel if (count > 1)
    {
        std::unique_ptr<ReorderedCopy> copy;  // one per thread
        if (reuseCopy) copy = std::make_unique<ReorderedCopy>(graph);
#pragma omp for schedule(dynamic, 1)
        for (std::ptrdiff_t k = 0; k < count; ++k) {
            const auto& [from, to] = moves[static_cast<size_t>(k)];
            const std::vector<NodeId> candidate = moved(order, from, to);
            tries[static_cast<size_t>(k)] = copy ? evaluate(copy->inOrder(candidate), pinned, inPlace)
                                                 : evaluate(reorderedGraph(graph, candidate), pinned, inPlace);
        }
    }
    return tries;
}

// Peak-directed local search. For each tensor held at a peak step but not
// used there, moves that take it off that step: its last reader runs just
// before the step, or as early as its inputs allow (so the tensor dies
// before), or its producer runs just after the step, or as late as its
// readers allow (so it is born after). The move giving the lowest peak
// (then the least held over the run) is taken, and again from the new
// peak, until none helps.
std::vector<NodeId> improveLocally(const Graph& graph, const Dependencies& deps, std::vector<NodeId> order,
                                   Evaluation& current, const std::set<std::string>& pinned,
                                   const InPlaceOptions& inPlace) {
    // Each evaluation reorders and plans the graph: O(nodes). Bounded so a
    // session on a huge graph starts in well under a second more.
    const size_t n = order.size();
    const int kMaxEvaluations = static_cast<int>(std::clamp<size_t>(1000000 / std::max<size_t>(n, 1), 16, 400));
    int evaluations = 0;
    std::vector<size_t> position(n);
    while (evaluations < kMaxEvaluations) {
        for (size_t i = 0; i < n; ++i) position[static_cast<size_t>(order[i])] = i;
        std::vector<std::pair<size_t, size_t>> moves;  // (from, to): erase at from, insert at to
        for (const auto& [peakStep, alive] : current.peaks) {
            const auto step = static_cast<size_t>(peakStep);
            for (ValueId id : alive) {
                const Value& v = graph.value(id);  // producers and readers as the incoming graph has them
                if (v.producer == kNoNode) continue;
                const size_t produced = position[static_cast<size_t>(v.producer)];
                size_t lastReader = produced, firstReader = n;
                for (NodeId r : v.consumers) {
                    lastReader = std::max(lastReader, position[static_cast<size_t>(r)]);
                    firstReader = std::min(firstReader, position[static_cast<size_t>(r)]);
                }
                if (lastReader > step) {
                    size_t earliest = 0;
                    for (NodeId p : deps.predecessors[static_cast<size_t>(order[lastReader])])
                        earliest = std::max(earliest, position[static_cast<size_t>(p)] + 1);
                    if (earliest <= step) {
                        moves.emplace_back(lastReader, step);
                        moves.emplace_back(lastReader, earliest);
                    }
                }
                if (produced < step && firstReader > step && firstReader < n) {
                    size_t latest = n - 1;
                    for (NodeId s : deps.successors[static_cast<size_t>(v.producer)])
                        latest = std::min(latest, position[static_cast<size_t>(s)] - 1);
                    if (latest >= step) {
                        moves.emplace_back(produced, step);
                        moves.emplace_back(produced, latest);
                    }
                }
            }
        }
        std::sort(moves.begin(), moves.end());
        moves.erase(std::unique(moves.begin(), moves.end()), moves.end());
        const size_t tried = std::min(moves.size(), static_cast<size_t>(kMaxEvaluations - evaluations));
        moves.resize(tried);
        evaluations += static_cast<int>(tried);
        std::vector<Evaluation> tries = evaluateMoves(graph, order, moves, pinned, inPlace);
        Evaluation best = current;
        std::vector<NodeId> bestOrder;
        for (size_t k = 0; k < tried; ++k) {
            if (tries[k] < best) {  // a lower peak, or the same peak with less held over the run
                best = std::move(tries[k]);
                bestOrder = moved(order, moves[k].first, moves[k].second);
            }
        }
        if (bestOrder.empty()) break;
        order = std::move(bestOrder);
        current = std::move(best);
    }
    return order;
}

}  // namespace

ExecutionOrderReport orderForMemory(Graph& graph, const std::set<std::string>& pinned, const InPlaceOptions& inPlace) {
    ExecutionOrderReport report;
    const size_t n = graph.nodes.size();
    std::vector<NodeId> fileOrder(n);
    for (size_t i = 0; i < n; ++i) fileOrder[i] = static_cast<NodeId>(i);
    Evaluation best = evaluate(graph, pinned, inPlace);
    report.fileOrderPeak = report.chosenPeak = best.peak;
    std::vector<NodeId> bestOrder = fileOrder;

    // Seeds: the greedy schedules (cheap next to planning); the planned
    // peak, which sees Concat in place where the net-bytes rule cannot,
    // picks among them and the file's order.
    const Dependencies deps(graph);
    for (EagerPick eager :
         {EagerPick::SmallestOutput, EagerPick::Earliest, EagerPick::MostFreed, EagerPick::LeastNet}) {
        std::vector<NodeId> order = greedyOrder(graph, deps, pinned, eager);
        if (order.size() != n) return report;
        Evaluation e = evaluate(reorderedGraph(graph, order), pinned, inPlace);
        if (e < best) best = std::move(e), bestOrder = std::move(order);
    }
    bestOrder = improveLocally(graph, deps, std::move(bestOrder), best, pinned, inPlace);

    int moved = 0;
    for (size_t i = 0; i < n; ++i) moved += bestOrder[i] != fileOrder[i];
    if (best.peak >= report.fileOrderPeak || moved == 0) return report;
    graph = reorderedGraph(graph, bestOrder);
    report.chosenPeak = best.peak;
    report.nodesMoved = moved;
    return report;
}

}  // namespace interstage
