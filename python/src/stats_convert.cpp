#include "stats_convert.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <vector>

namespace interstage::python {
namespace {

namespace py = pybind11;

// One numpy column from a field of each record.
template <class T, class Record, class Field>
py::array_t<T> column(const std::vector<Record>& records, Field field) {
    py::array_t<T> out(static_cast<py::ssize_t>(records.size()));
    auto view = out.template mutable_unchecked<1>();
    for (std::size_t i = 0; i < records.size(); ++i)
        view(static_cast<py::ssize_t>(i)) = static_cast<T>(field(records[i]));
    return out;
}

py::dict samplesToPython(const std::vector<RssSample>& samples) {
    py::dict d;
    d["time_ns"] = column<int64_t>(samples, [](const RssSample& s) { return s.timeNs; });
    d["bytes"] = column<int64_t>(samples, [](const RssSample& s) { return s.bytes; });
    return d;
}

py::dict nodesToPython(const std::vector<NodeTiming>& nodes) {
    py::list names, ops;
    for (const NodeTiming& n : nodes) {
        names.append(n.name);
        ops.append(n.op);
    }
    py::dict d;
    d["name"] = names;
    d["op"] = ops;
    d["ms"] = column<double>(nodes, [](const NodeTiming& n) { return n.ms; });
    d["start_ms"] = column<double>(nodes, [](const NodeTiming& n) { return n.startMs; });
    d["cpu_fallback"] = column<bool>(nodes, [](const NodeTiming& n) { return n.cpuFallback; });
    return d;
}

py::object tensorName(const MemoryEvent& e, const RunStats& stats, const Graph& executed) {
    if (e.tensor != kNoValue && static_cast<std::size_t>(e.tensor) < executed.values.size())
        return py::str(executed.value(e.tensor).name);
    if (e.bodyValue >= 0 && static_cast<std::size_t>(e.bodyValue) < stats.bodyValues.size())
        return py::str(stats.bodyValues[static_cast<std::size_t>(e.bodyValue)].body + " › " +
                       stats.bodyValues[static_cast<std::size_t>(e.bodyValue)].name);
    return py::none();
}

py::dict eventsToPython(const RunStats& stats, const Graph& executed) {
    const std::vector<MemoryEvent>& events = stats.events;
    py::list tensors;
    for (const MemoryEvent& e : events) tensors.append(tensorName(e, stats, executed));
    py::dict d;
    d["time_ns"] = column<int64_t>(events, [](const MemoryEvent& e) { return e.timeNs; });
    d["bytes"] = column<int64_t>(events, [](const MemoryEvent& e) { return e.bytes; });
    // Indexes into interstage.MEMORY_CATEGORIES and ("host", "gpu").
    d["category"] = column<int8_t>(events, [](const MemoryEvent& e) { return static_cast<int>(e.category); });
    d["device"] = column<int8_t>(events, [](const MemoryEvent& e) { return static_cast<int>(e.device); });
    d["node"] = column<int32_t>(events, [](const MemoryEvent& e) { return e.node; });
    d["tensor"] = tensors;
    return d;
}

py::dict executionOrderToPython(const Session& session) {
    const Session::ExecutionOrder order = session.executionOrder();
    py::dict d;
    d["memory_aware"] = session.options().memoryAwareOrder;
    d["nodes_moved"] = order.nodesMoved;
    d["file_order_peak_bytes"] = order.fileOrderPeakBytes;
    d["peak_bytes"] = order.peakBytes;
    return d;
}

py::dict placementsToPython(const std::vector<TensorPlacement>& map) {
    py::list names;
    for (const TensorPlacement& p : map) names.append(p.name);
    py::dict d;
    d["name"] = names;
    d["first"] = column<int32_t>(map, [](const TensorPlacement& p) { return p.first; });
    d["last"] = column<int32_t>(map, [](const TensorPlacement& p) { return p.last; });
    d["bytes"] = column<int64_t>(map, [](const TensorPlacement& p) { return p.bytes; });
    d["buffer"] = column<int32_t>(map, [](const TensorPlacement& p) { return p.buffer; });
    d["offset"] = column<int64_t>(map, [](const TensorPlacement& p) { return p.offset; });
    d["kept"] = column<bool>(map, [](const TensorPlacement& p) { return p.kept; });
    d["channel_block"] = column<int32_t>(map, [](const TensorPlacement& p) { return p.channelBlock; });
    d["moved_at"] = column<int32_t>(map, [](const TensorPlacement& p) { return p.movedAt; });
    d["moved_buffer"] = column<int32_t>(map, [](const TensorPlacement& p) { return p.movedBuffer; });
    d["moved_offset"] = column<int64_t>(map, [](const TensorPlacement& p) { return p.movedOffset; });
    d["per_run_buffer"] = column<bool>(map, [](const TensorPlacement& p) { return p.perRunBuffer; });
    return d;
}

}  // namespace

py::dict runStatsToPython(const RunStats& stats, const Graph& executed) {
    py::dict d;
    d["run"] = stats.run;
    d["ms"] = stats.ms;
    d["allocations"] = stats.allocations;
    d["peak_tracked_bytes"] = stats.peakTrackedBytes;
    d["peak_rss_bytes"] = stats.peakRssBytes;
    d["peak_activation_bytes"] = stats.peakActivationBytes;
    d["peak_block_cache_bytes"] = stats.peakBlockCacheBytes;
    d["handed_over_bytes"] = stats.handedOverBytes;
    d["peak_shared_page_bytes"] = stats.peakSharedPageBytes;
    d["minor_page_faults"] = stats.minorPageFaults;
    d["fallback_transfers"] = stats.fallbackTransfers;
    d["fallback_bytes"] = stats.fallbackBytes;
    d["peak_device_heap_bytes"] = stats.peakDeviceHeapBytes;
    d["nodes"] = nodesToPython(stats.nodes);
    d["events"] = eventsToPython(stats, executed);
    d["rss"] = samplesToPython(stats.rss);
    d["device_heap"] = samplesToPython(stats.deviceHeap);
    py::dict atStart;
    for (int c = 0; c < kMemoryCategoryCount; ++c)
        atStart[memoryCategoryName(static_cast<MemoryCategory>(c))] =
            c < static_cast<int>(stats.bytesAtStart.size()) ? stats.bytesAtStart[static_cast<std::size_t>(c)] : 0;
    d["bytes_at_start"] = atStart;
    return d;
}

py::dict planToPython(const Session& session) {
    py::dict d;
    d["lower_bound_bytes"] = session.lowerBoundBytes();
    d["executed_lower_bound_bytes"] = session.executedLowerBoundBytes();
    d["aliased_lower_bound_bytes"] = session.aliasedLowerBoundBytes();
    d["planned_peak_bytes"] = session.plannedPeakBytes();
    d["planned_buffer_peak_bytes"] = session.plannedBufferPeakBytes();
    d["weight_bytes"] = session.weightBytes();
    d["execution_order"] = executionOrderToPython(session);
    const MemoryBudget budget = session.memoryBudget();
    py::dict budgetDict;
    budgetDict["bytes"] = budget.bytes;
    budgetDict["source"] = budget.source;
    budgetDict["automatic"] = budget.automatic;
    d["memory_budget"] = budgetDict;
    py::list steps;
    for (const Node& node : session.executedGraph().nodes) steps.append(node.name);
    d["steps"] = steps;
    d["tensors"] = placementsToPython(session.memoryMap());
    return d;
}

}  // namespace interstage::python
