#include "plan/concat_pages.h"

#include <algorithm>
#include <map>

#include "memory/host_allocator.h"

namespace interstage {

PageRules hostPageRules() { return {hostPageBytes(), kHostMapThreshold}; }

bool concatInputsAreContiguous(const Graph& graph, const Node& node) {
    if (node.opType != "Concat" || !node.domain.empty() || node.outputs.size() != 1 || node.outputs[0] == kNoValue)
        return false;
    const Shape& shape = graph.value(node.outputs[0]).shape;
    const auto rank = static_cast<int64_t>(shape.size());
    int64_t axis = node.attrInt("axis", graph.opset() > 0 && graph.opset() < 4 ? 1 : 0);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank) return false;
    for (int64_t d = 0; d < axis; ++d)
        if (shape[static_cast<size_t>(d)] != 1) return false;
    return true;
}

void planPageMoves(const Graph& graph, const std::vector<PlannedTensor>& tensors, MemoryPlan& plan,
                   const PageRules& rules) {
    std::map<ValueId, size_t> indexOf;
    for (size_t i = 0; i < tensors.size(); ++i) indexOf[tensors[i].value] = i;
    // Per buffer, the latest last step among its tenants and how many end
    // then: a buffer can move when the Concat input is its only tenant
    // still alive at the Concat (others were written over before).
    std::vector<int> latest(plan.buffers.size(), -1), endingLatest(plan.buffers.size(), 0);
    for (size_t i = 0; i < tensors.size(); ++i) {
        const auto b = static_cast<size_t>(plan.bufferOf[i]);
        if (tensors[i].last > latest[b]) latest[b] = tensors[i].last, endingLatest[b] = 0;
        if (tensors[i].last == latest[b]) ++endingLatest[b];
    }
    auto trimmedBy = [&](const BufferSpec& b, int step) {
        return std::any_of(b.trims.begin(), b.trims.end(), [&](const auto& trim) { return trim.first <= step; });
    };
    // A buffer that pages moved into is several mappings: mremap refuses to
    // move it whole (and may have unmapped the destination by then).
    std::vector<bool> moving(plan.buffers.size(), false), receiving(plan.buffers.size(), false);
    for (const PageMove& m : plan.moves) {
        moving[static_cast<size_t>(m.from)] = true;
        receiving[static_cast<size_t>(m.into)] = true;
    }
    auto wholePages = [&](std::size_t bytes) { return bytes % rules.pageBytes == 0; };

    for (size_t step = 0; step < graph.nodes.size(); ++step) {
        const Node& node = graph.nodes[step];
        if (!concatInputsAreContiguous(graph, node)) continue;
        auto host = indexOf.find(node.outputs[0]);
        if (host == indexOf.end()) continue;
        const int into = plan.bufferOf[host->second];
        const BufferSpec& intoSpec = plan.buffers[static_cast<size_t>(into)];
        if (!intoSpec.perRun() || intoSpec.allocStep > static_cast<int>(step) ||
            intoSpec.bytes < rules.mappedFromBytes || trimmedBy(intoSpec, static_cast<int>(step)))
            continue;
        const Value& out = graph.value(node.outputs[0]);

        std::map<ValueId, int> uses;
        for (ValueId id : node.inputs) ++uses[id];
        std::size_t offset = 0;
        for (ValueId id : node.inputs) {
            if (id == kNoValue) break;  // malformed; the kernel refuses it
            const Value& in = graph.value(id);
            const std::size_t at = plan.offsetOf[host->second] + offset;
            offset += in.byteSize();
            auto member = indexOf.find(id);
            if (member == indexOf.end() || uses[id] != 1 || in.dtype != out.dtype) continue;
            const PlannedTensor& t = tensors[member->second];
            const int from = plan.bufferOf[member->second];
            const BufferSpec& fromSpec = plan.buffers[static_cast<size_t>(from)];
            const bool ownBuffer = from != into && latest[static_cast<size_t>(from)] == t.last &&
                                   endingLatest[static_cast<size_t>(from)] == 1 && plan.offsetOf[member->second] == 0 &&
                                   fromSpec.bytes == t.bytes && fromSpec.trims.empty();
            if (!ownBuffer || t.keep || t.category != MemoryCategory::Interstage || !fromSpec.perRun() ||
                fromSpec.freeStep != static_cast<int>(step) || moving[static_cast<size_t>(from)] ||
                receiving[static_cast<size_t>(from)] || moving[static_cast<size_t>(into)])
                continue;
            if (t.bytes < rules.mappedFromBytes || !wholePages(t.bytes) || !wholePages(at) ||
                at + t.bytes > intoSpec.bytes)
                continue;
            plan.moves.push_back({static_cast<int>(step), from, into, at});
            moving[static_cast<size_t>(from)] = true;
            receiving[static_cast<size_t>(into)] = true;
        }
    }
}

}  // namespace interstage
