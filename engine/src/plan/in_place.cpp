#include "plan/in_place.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "ops/op_table.h"

namespace interstage {

namespace {

using Kind = TensorAlias::Kind;

// Each tensor's outermost host and its offset there. Linear: a chain of
// 100,000 ops each written over the last is one group, and each path is
// walked once.
void resolveRoots(const std::vector<TensorAlias>& aliases, std::vector<int>& root, std::vector<std::size_t>& offset,
                  std::vector<size_t>& path) {
    const size_t n = aliases.size();
    root.assign(n, -1);
    offset.assign(n, 0);
    for (size_t i = 0; i < n; ++i) {
        if (root[i] >= 0) continue;
        path.clear();
        size_t at = i;
        while (root[at] < 0 && aliases[at].host >= 0) {
            path.push_back(at);
            at = static_cast<size_t>(aliases[at].host);
        }
        if (root[at] < 0) root[at] = static_cast<int>(at);  // a root of its own
        for (auto t = path.rbegin(); t != path.rend(); ++t) {
            const auto host = static_cast<size_t>(aliases[*t].host);
            root[*t] = root[host];
            offset[*t] = offset[host] + aliases[*t].offset;
        }
    }
}

void resolveRoots(const std::vector<TensorAlias>& aliases, std::vector<int>& root, std::vector<std::size_t>& offset) {
    std::vector<size_t> path;
    resolveRoots(aliases, root, offset, path);
}

// One way a tensor could be written in place.
struct Candidate {
    size_t tensor = 0;
    TensorAlias alias;
};

// A Concat input that could hand its pages to the Concat's output instead
// of being written in place (plan/concat_pages.h), as far as the tensors
// alone tell: the buffers the planner makes decide in the end.
struct MoveCandidate {
    size_t tensor = 0;
    size_t host = 0;         // the Concat's output
    std::size_t offset = 0;  // inside the host
};

struct Candidates {
    std::vector<Candidate> aliases;
    std::vector<MoveCandidate> moves;
};

// A group's bytes drop to an overwriting conv's output after its step.
struct Trim {
    int step = 0;
    std::size_t keep = 0;
};

// The trims of each group root, indexed by root (empty for most): convs
// that wrote fewer bytes over a tensor of the group (always at its start:
// overwrites sit at offset 0). `roots` lists the roots that have some, in
// ascending order. The lists keep their storage from call to call.
void collectTrims(const std::vector<PlannedTensor>& tensors, const std::vector<TensorAlias>& aliases,
                  const std::vector<int>& root, std::vector<std::vector<Trim>>& trims, std::vector<int>& roots) {
    for (int r : roots) trims[static_cast<size_t>(r)].clear();
    roots.clear();
    trims.resize(tensors.size());
    for (size_t i = 0; i < tensors.size(); ++i) {
        const TensorAlias& a = aliases[i];
        if (a.kind != Kind::Overwrite || tensors[i].bytes >= tensors[static_cast<size_t>(a.host)].bytes) continue;
        auto& list = trims[static_cast<size_t>(root[i])];
        if (list.empty()) roots.push_back(root[i]);
        list.push_back({tensors[i].first, tensors[i].bytes});
    }
    std::sort(roots.begin(), roots.end());
    for (int r : roots) {
        auto& list = trims[static_cast<size_t>(r)];
        std::sort(list.begin(), list.end(), [](const Trim& a, const Trim& b) { return a.step < b.step; });
    }
}

// What peakLiveBytes() works in, kept between the trials of one choice of
// aliases: a trial then allocates nothing (U^2-Net-P makes about 200
// trials per plan, and the memory-aware order plans some 200 orders).
struct PeakScratch {
    std::vector<int> root, first, last, endingLast, end, trimRoots;
    std::vector<std::size_t> offset;
    std::vector<size_t> path;
    std::vector<std::vector<Trim>> trims;
    std::vector<long long> delta;
};

// The most bytes alive at one step when every group is one tensor that
// lives from its first member's producer to its last reader, cut where an
// overwriting conv left fewer bytes. A move candidate whose group it is the
// last of ends at its Concat, where its bytes join the host's group; until
// then the host's group does not hold them.
// `outside` holds, per step, the bytes that the tensors not given here
// add (+ at their first step) and give back (- after their last): one
// entry per step and one past the last.
std::size_t peakLiveBytes(const std::vector<PlannedTensor>& tensors, const std::vector<TensorAlias>& aliases,
                          const std::vector<MoveCandidate>& moves, const PageRules* rules,
                          const std::vector<long long>& outside, PeakScratch& scratch) {
    const size_t n = tensors.size();
    std::vector<int>& root = scratch.root;
    std::vector<std::size_t>& offset = scratch.offset;
    resolveRoots(aliases, root, offset, scratch.path);
    std::vector<int>& first = scratch.first;
    std::vector<int>& last = scratch.last;
    std::vector<int>& endingLast = scratch.endingLast;
    first.resize(n);
    last.resize(n);
    endingLast.assign(n, 0);
    for (size_t i = 0; i < n; ++i) {
        first[i] = tensors[i].first;
        last[i] = tensors[i].last;
    }
    for (size_t i = 0; i < n; ++i) {
        const auto r = static_cast<size_t>(root[i]);
        first[r] = std::min(first[r], tensors[i].first);
        last[r] = std::max(last[r], tensors[i].last);
    }
    for (size_t i = 0; i < n; ++i)
        if (tensors[i].last == last[static_cast<size_t>(root[i])]) ++endingLast[static_cast<size_t>(root[i])];
    std::vector<std::vector<Trim>>& trims = scratch.trims;
    collectTrims(tensors, aliases, root, trims, scratch.trimRoots);
    std::vector<int>& end = scratch.end;  // the last step each group holds its own bytes
    end.assign(last.begin(), last.end());
    std::vector<long long>& delta = scratch.delta;
    delta.assign(outside.begin(), outside.end());
    if (rules) {
        for (const MoveCandidate& m : moves) {
            const auto r = static_cast<size_t>(root[m.tensor]);
            const auto hostRoot = static_cast<size_t>(root[m.host]);
            const int step = tensors[m.host].first;  // the Concat's
            if (r == hostRoot || offset[m.tensor] != 0 || tensors[m.tensor].bytes != tensors[r].bytes ||
                last[r] != step || endingLast[r] != 1 || !trims[r].empty() ||
                (offset[m.host] + m.offset) % rules->pageBytes != 0)
                continue;
            end[r] = step - 1;  // its pages move into the host at the Concat
            const auto bytes = static_cast<long long>(tensors[r].bytes);
            delta[static_cast<size_t>(first[hostRoot])] -= bytes;  // the host holds them only from then
            delta[static_cast<size_t>(step)] += bytes;
        }
    }
    for (size_t i = 0; i < n; ++i) {
        if (root[i] != static_cast<int>(i)) continue;
        std::size_t held = tensors[i].bytes;
        delta[static_cast<size_t>(first[i])] += static_cast<long long>(held);
        for (const Trim& t : trims[i]) {
            if (t.step >= end[i] || t.keep >= held) continue;
            delta[static_cast<size_t>(t.step) + 1] -= static_cast<long long>(held - t.keep);
            held = t.keep;
        }
        delta[static_cast<size_t>(end[i]) + 1] -= static_cast<long long>(held);
    }
    long long live = 0, peak = 0;
    for (long long d : delta) peak = std::max(peak, live += d);
    return static_cast<std::size_t>(peak);
}

// Writing a Concat member in place stretches its Concat's buffer back to
// that member's producer, which can raise the peak (U^2-Net-P's first
// stage output would pull the 50 MiB decoder concat to the start of the
// net). So: repeatedly take the candidate that lowers the peak most, then
// every remaining one that does not raise it (each saves a buffer or a
// copy). A tensor takes one alias at most. With page moves (rules given),
// an input left out may hand its pages over instead, and the peaks
// compared count that.
// The tensors a choice of aliases can touch: the candidates' members and
// hosts (the move candidates are among them). Every other tensor is a
// group of its own whatever is chosen, so its bytes go into `outside` once
// and each trial walks the involved tensors alone (U^2-Net-P's order
// search makes some 50,000 trials; a few dozen of its tensors are
// involved).
struct InvolvedTensors {
    std::vector<PlannedTensor> tensors;  // the involved ones, in the order of all
    std::vector<size_t> all;             // each one's index among all tensors
    Candidates candidates;               // in the involved tensors' indices
    std::vector<long long> outside;      // peakLiveBytes()' `outside` for the rest
};

// everyTensor: all of them count as involved (the reference the tests
// compare with; `outside` is then all zeros).
InvolvedTensors involvedIn(const std::vector<PlannedTensor>& tensors, const Candidates& candidates, bool everyTensor) {
    std::vector<int> localOf(tensors.size(), everyTensor ? 0 : -1);
    for (const Candidate& c : candidates.aliases) localOf[c.tensor] = localOf[static_cast<size_t>(c.alias.host)] = 0;
    for (const MoveCandidate& m : candidates.moves) localOf[m.tensor] = localOf[m.host] = 0;
    InvolvedTensors in;
    int steps = 0;
    for (const PlannedTensor& t : tensors) steps = std::max(steps, t.last + 1);
    in.outside.assign(static_cast<size_t>(steps) + 1, 0);
    for (size_t i = 0; i < tensors.size(); ++i) {
        if (localOf[i] == 0) {
            localOf[i] = static_cast<int>(in.all.size());
            in.all.push_back(i);
            in.tensors.push_back(tensors[i]);
            continue;
        }
        in.outside[static_cast<size_t>(tensors[i].first)] += static_cast<long long>(tensors[i].bytes);
        in.outside[static_cast<size_t>(tensors[i].last) + 1] -= static_cast<long long>(tensors[i].bytes);
    }
    auto local = [&](size_t i) { return static_cast<size_t>(localOf[i]); };
    for (Candidate c : candidates.aliases) {
        c.tensor = local(c.tensor);
        c.alias.host = localOf[static_cast<size_t>(c.alias.host)];
        in.candidates.aliases.push_back(c);
    }
    for (MoveCandidate m : candidates.moves) {
        m.tensor = local(m.tensor);
        m.host = local(m.host);
        in.candidates.moves.push_back(m);
    }
    return in;
}

std::vector<TensorAlias> chooseAliases(const std::vector<PlannedTensor>& tensors, const Candidates& allCandidates,
                                       const PageRules* rules, bool everyTensor) {
    const InvolvedTensors involved = involvedIn(tensors, allCandidates, everyTensor);
    const Candidates& candidates = involved.candidates;
    std::vector<TensorAlias> chosen(involved.tensors.size());
    std::vector<size_t> open(candidates.aliases.size());
    for (size_t k = 0; k < open.size(); ++k) open[k] = k;
    PeakScratch scratch;
    auto peakWith = [&](const std::vector<TensorAlias>& aliases) {
        return peakLiveBytes(involved.tensors, aliases, candidates.moves, rules, involved.outside, scratch);
    };
    auto take = [&](size_t k) { chosen[candidates.aliases[k].tensor] = candidates.aliases[k].alias; };
    auto drop = [&](size_t k) { chosen[candidates.aliases[k].tensor] = {}; };
    auto taken = [&](size_t k) { return chosen[candidates.aliases[k].tensor].host >= 0; };
    std::size_t peak = peakWith(chosen);
    // Each trial used to cost O(tensors); big graphs keep to the greedy pass.
    const bool search = open.size() * tensors.size() < (std::size_t(1) << 22);
    while (search && !open.empty()) {
        std::size_t bestPeak = peak;
        size_t best = open.size();
        for (size_t k = 0; k < open.size(); ++k) {
            if (taken(open[k])) continue;
            take(open[k]);
            const std::size_t trial = peakWith(chosen);
            drop(open[k]);
            if (trial < bestPeak) bestPeak = trial, best = k;
        }
        if (best == open.size()) break;
        take(open[best]);
        open.erase(open.begin() + static_cast<std::ptrdiff_t>(best));
        peak = bestPeak;
    }
    for (size_t k : open) {
        if (taken(k)) continue;
        take(k);
        const std::size_t trial = peakWith(chosen);
        if (trial > peak)
            drop(k);
        else
            peak = trial;
    }
    std::vector<TensorAlias> all(tensors.size());
    for (size_t i = 0; i < chosen.size(); ++i) {
        if (chosen[i].host < 0) continue;
        all[involved.all[i]] = chosen[i];
        all[involved.all[i]].host = static_cast<int>(involved.all[static_cast<size_t>(chosen[i].host)]);
    }
    return all;
}

// Concat members and the inputs that could move their pages instead.
void addConcatCandidates(const Graph& graph, const std::vector<PlannedTensor>& tensors,
                         const std::map<ValueId, size_t>& indexOf, const PageRules* pageMoves, Candidates& out,
                         std::vector<bool>& member) {
    for (const Node& node : graph.nodes) {
        if (!concatInputsAreContiguous(graph, node)) continue;
        auto host = indexOf.find(node.outputs[0]);
        if (host == indexOf.end()) continue;
        const Value& joined = graph.value(node.outputs[0]);

        std::map<ValueId, int> uses;
        for (ValueId id : node.inputs) ++uses[id];
        std::size_t offset = 0;
        std::vector<Candidate> found;
        std::vector<MoveCandidate> moves;
        for (ValueId id : node.inputs) {
            if (id == kNoValue) break;  // malformed; the kernel refuses it
            const Value& in = graph.value(id);
            const std::size_t bytes = in.byteSize();
            auto m = indexOf.find(id);
            const bool eligible = m != indexOf.end() && uses[id] == 1 && in.dtype == joined.dtype && bytes > 0 &&
                                  !tensors[m->second].keep && !member[m->second] && tensors[m->second].bytes == bytes;
            if (eligible) {
                found.push_back({m->second, {static_cast<int>(host->second), offset, Kind::ConcatMember}});
                const PlannedTensor& t = tensors[m->second];
                if (pageMoves && t.last == tensors[host->second].first && t.category == MemoryCategory::Interstage &&
                    bytes >= pageMoves->mappedFromBytes && bytes % pageMoves->pageBytes == 0 &&
                    tensors[host->second].bytes >= pageMoves->mappedFromBytes)
                    moves.push_back({m->second, host->second, offset});
            }
            offset += bytes;
        }
        // Sizes that do not add up: leave this Concat to its kernel's checks.
        if (offset != tensors[host->second].bytes) continue;
        for (const Candidate& c : found) {
            member[c.tensor] = true;
            out.aliases.push_back(c);
        }
        out.moves.insert(out.moves.end(), moves.begin(), moves.end());
    }
}

// Outputs written over an input that dies at their op.
void addOverwriteCandidates(const Graph& graph, const std::vector<PlannedTensor>& tensors,
                            const std::map<ValueId, size_t>& indexOf, const InPlaceOptions& options,
                            const std::vector<bool>& member, Candidates& out) {
    for (size_t step = 0; step < graph.nodes.size(); ++step) {
        const Node& node = graph.nodes[step];
        const bool striped = options.stripedConv && options.stripedConv(graph, step);
        if (!(options.ops && overwritesElementwise(node)) && !striped) continue;
        if (node.outputs.empty() || node.outputs[0] == kNoValue) continue;
        auto y = indexOf.find(node.outputs[0]);
        if (y == indexOf.end()) continue;
        const PlannedTensor& output = tensors[y->second];
        const Value& yv = graph.value(node.outputs[0]);
        if (output.keep || output.category != MemoryCategory::Interstage || output.first != static_cast<int>(step))
            continue;
        std::set<ValueId> seen;
        for (size_t k = 0; k < node.inputs.size(); ++k) {
            const ValueId id = node.inputs[k];
            if (id == kNoValue || !seen.insert(id).second || (striped && k != 0)) continue;
            auto x = indexOf.find(id);
            if (x == indexOf.end() || member[x->second]) continue;
            const PlannedTensor& input = tensors[x->second];
            const Value& xv = graph.value(id);
            if (input.keep || input.category != MemoryCategory::Interstage || input.last != static_cast<int>(step) ||
                xv.dtype != yv.dtype || xv.channelBlock != yv.channelBlock)
                continue;
            // Fewer bytes: the input's buffer is cut to the output's after
            // the step, which needs per-run buffers and whole pages.
            const bool smaller = output.bytes < input.bytes;
            if (striped ? (output.bytes > input.bytes ||
                           (smaller && (!options.pages || output.bytes % options.pages->pageBytes != 0 ||
                                        output.bytes < options.pages->mappedFromBytes)))
                        : output.bytes != input.bytes)
                continue;
            out.aliases.push_back({y->second, {static_cast<int>(x->second), 0, Kind::Overwrite}});
            break;  // one input is enough
        }
    }
}

}  // namespace

InPlaceOptions hostInPlaceOptions(bool concat, bool ops) {
    static const PageRules hostRules = hostPageRules();
    InPlaceOptions o;
    o.concat = concat;
    o.ops = ops;
    o.pages = concat || ops ? &hostRules : nullptr;
    o.movePages = concat;
    return o;
}

bool overwritesElementwise(const Node& node) {
    return node.outputs.size() == 1 && ops::hasTrait(node, ops::kOverwrite);
}

namespace {

std::vector<TensorAlias> aliasesChosen(const Graph& graph, const std::vector<PlannedTensor>& tensors,
                                       const InPlaceOptions& options, bool everyTensor) {
    std::map<ValueId, size_t> indexOf;
    for (size_t i = 0; i < tensors.size(); ++i) indexOf[tensors[i].value] = i;
    Candidates candidates;
    std::vector<bool> member(tensors.size(), false);  // a Concat member candidate
    // Concat members first: an input that could sit inside a Concat's
    // output is never written over (the Concat would read the new bytes).
    const PageRules* moves = options.movePages ? options.pages : nullptr;
    if (options.concat) addConcatCandidates(graph, tensors, indexOf, moves, candidates, member);
    std::vector<TensorAlias> chosen = chooseAliases(tensors, candidates, moves, everyTensor);
    // The last reader of anything written inside each tensor (its Concat
    // members, theirs, and so on): a tensor is written over only when all
    // of that is dead by then.
    std::vector<int> lastInside(tensors.size(), -1);
    for (size_t t = 0; t < tensors.size(); ++t)
        for (int at = chosen[t].host; at >= 0; at = chosen[static_cast<size_t>(at)].host)
            lastInside[static_cast<size_t>(at)] = std::max(lastInside[static_cast<size_t>(at)], tensors[t].last);
    // Then every overwrite whose output is still free. An overwrite does not
    // raise the peak of live bytes (its group holds the input's bytes until
    // the op, the output's after), so none is weighed one by one, which
    // keeps a 100,000-node chain linear; planInPlace() still compares the
    // whole plan with the plain one (a cut group can no longer hand its
    // pages to a Concat, for one).
    Candidates overwrites;
    addOverwriteCandidates(graph, tensors, indexOf, options, member, overwrites);
    for (const Candidate& c : overwrites.aliases) {
        const auto input = static_cast<size_t>(c.alias.host);
        if (chosen[c.tensor].host < 0 && lastInside[input] < tensors[c.tensor].first) chosen[c.tensor] = c.alias;
    }
    return chosen;
}

}  // namespace

std::vector<TensorAlias> inPlaceAliases(const Graph& graph, const std::vector<PlannedTensor>& tensors,
                                        const InPlaceOptions& options) {
    return aliasesChosen(graph, tensors, options, false);
}

std::vector<TensorAlias> inPlaceAliasesWeighingEveryTensor(const Graph& graph,
                                                           const std::vector<PlannedTensor>& tensors,
                                                           const InPlaceOptions& options) {
    return aliasesChosen(graph, tensors, options, true);
}

std::vector<AliasCandidate> inPlaceCandidates(const Graph& graph, const std::vector<PlannedTensor>& tensors,
                                              const InPlaceOptions& options) {
    std::map<ValueId, size_t> indexOf;
    for (size_t i = 0; i < tensors.size(); ++i) indexOf[tensors[i].value] = i;
    Candidates found;
    std::vector<bool> member(tensors.size(), false);
    if (options.concat) addConcatCandidates(graph, tensors, indexOf, nullptr, found, member);
    addOverwriteCandidates(graph, tensors, indexOf, options, member, found);
    std::vector<AliasCandidate> out;
    out.reserve(found.aliases.size());
    for (const Candidate& c : found.aliases) out.push_back({c.tensor, static_cast<size_t>(c.alias.host)});
    return out;
}

MemoryPlan planWithAliases(const MemoryMode& mode, const std::vector<PlannedTensor>& tensors,
                           const std::vector<TensorAlias>& aliases) {
    const size_t n = tensors.size();
    std::vector<int> root;
    std::vector<std::size_t> offsetInRoot;
    resolveRoots(aliases, root, offsetInRoot);

    // Each group planned as one tensor spanning all its members' lives.
    std::vector<int> groupOf(n, -1);
    std::vector<PlannedTensor> groups;
    for (size_t i = 0; i < n; ++i) {
        if (root[i] != static_cast<int>(i)) continue;
        groupOf[i] = static_cast<int>(groups.size());
        groups.push_back(tensors[i]);
    }
    for (size_t i = 0; i < n; ++i) {
        PlannedTensor& g = groups[static_cast<size_t>(groupOf[static_cast<size_t>(root[i])])];
        g.first = std::min(g.first, tensors[i].first);
        g.last = std::max(g.last, tensors[i].last);
    }

    MemoryPlan grouped = planFor(mode, groups);
    MemoryPlan plan;
    plan.buffers = std::move(grouped.buffers);
    plan.bufferOf.resize(n);
    plan.offsetOf.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const auto g = static_cast<size_t>(groupOf[static_cast<size_t>(root[i])]);
        plan.bufferOf[i] = grouped.bufferOf[g];
        plan.offsetOf[i] = grouped.offsetOf[g] + offsetInRoot[i];
    }
    // Cuts, where the group has a per-run buffer of its own (a shared or
    // kept buffer keeps its bytes: correct, only less saved).
    std::vector<int> groupsIn(plan.buffers.size(), 0);
    for (int b : grouped.bufferOf) ++groupsIn[static_cast<size_t>(b)];
    std::vector<std::vector<Trim>> trims;
    std::vector<int> trimRoots;
    collectTrims(tensors, aliases, root, trims, trimRoots);
    for (int r : trimRoots) {
        const auto b = static_cast<size_t>(plan.bufferOf[static_cast<size_t>(r)]);
        BufferSpec& spec = plan.buffers[b];
        if (!spec.perRun() || groupsIn[b] != 1 || plan.offsetOf[static_cast<size_t>(r)] != 0) continue;
        for (const Trim& t : trims[static_cast<size_t>(r)]) spec.trims.push_back({t.step, t.keep});
    }
    return plan;
}

MemoryPlan planInPlace(const MemoryMode& mode, const Graph& graph, const std::vector<PlannedTensor>& tensors,
                       const InPlaceOptions& options) {
    const int steps = static_cast<int>(graph.nodes.size());
    const PageRules* moves = options.movePages ? options.pages : nullptr;
    MemoryPlan best = planFor(mode, tensors);
    if (moves) planPageMoves(graph, tensors, best, *moves);
    std::size_t bestPeak = plannedPeakBytes(best, steps);
    auto consider = [&](const InPlaceOptions& o, bool onTie) {
        MemoryPlan plan = planWithAliases(mode, tensors, inPlaceAliases(graph, tensors, o));
        if (moves) planPageMoves(graph, tensors, plan, *moves);
        const std::size_t peak = plannedPeakBytes(plan, steps);
        if (peak < bestPeak || (onTie && peak == bestPeak)) best = std::move(plan), bestPeak = peak;
    };
    consider(options, true);
    // Buffers kept for the whole run (reuse, the arena) pack worse around
    // long groups: overwrites join an op's input and output into one, and
    // Concat members alone can do better there.
    if (!options.pages && options.concat && (options.ops || options.stripedConv)) {
        InPlaceOptions concatOnly = options;
        concatOnly.ops = false;
        concatOnly.stripedConv = nullptr;
        consider(concatOnly, false);
    }
    return best;
}

}  // namespace interstage
