// A run's statistics. The big arrays (nodes, events, samples, body values)
// are rows of plain values in a fixed column order, so a run of 10^5
// events stays a few MiB; docs/session_format.md lists the columns.
#include <limits>

#include "session_file/session_json.h"

namespace interstage::session_json {
namespace {

constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// [name, op, ms, start_ms, cpu_fallback]
OrderedJson nodesToJson(const std::vector<NodeTiming>& nodes) {
    OrderedJson rows = OrderedJson::array();
    for (const NodeTiming& n : nodes) rows.push_back({n.name, n.op, n.ms, n.startMs, n.cpuFallback ? 1 : 0});
    return rows;
}

std::vector<NodeTiming> nodesFromJson(const Field& field) {
    std::vector<NodeTiming> nodes(field.array().size());
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const Field row = field.at(i);
        row.array(5);
        nodes[i] = {row.at(0).string(), row.at(1).string(), row.at(2).number(), row.at(3).number(),
                    row.at(4).boolean()};
    }
    return nodes;
}

// [time_ns, bytes, device, category, tensor, node, run, body_value, iteration]
OrderedJson eventsToJson(const std::vector<MemoryEvent>& events) {
    OrderedJson rows = OrderedJson::array();
    for (const MemoryEvent& e : events)
        rows.push_back({e.timeNs, e.bytes, static_cast<int>(e.device), static_cast<int>(e.category), e.tensor, e.node,
                        e.run, e.bodyValue, e.iteration});
    return rows;
}

std::vector<MemoryEvent> eventsFromJson(const Field& field) {
    std::vector<MemoryEvent> events(field.array().size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        const Field row = field.at(i);
        row.array(9);
        MemoryEvent& e = events[i];
        e.timeNs = row.at(0).integer(kInt64Min, kInt64Max);
        e.bytes = row.at(1).signedBytes();
        // The enums index tables and colours in the app: out of range
        // they would read past them.
        e.device = static_cast<MemoryDevice>(row.at(2).int32(0, static_cast<int>(MemoryDevice::Gpu)));
        e.category = static_cast<MemoryCategory>(row.at(3).int32(0, kMemoryCategoryCount - 1));
        // Indices the app looks up with bounds checks: any number, -1 none.
        e.tensor = row.at(4).int32();
        e.node = row.at(5).int32();
        e.run = row.at(6).int32();
        e.bodyValue = row.at(7).int32();
        e.iteration = row.at(8).int32();
    }
    return events;
}

// [time_ns, bytes, run]
OrderedJson samplesToJson(const std::vector<RssSample>& samples) {
    OrderedJson rows = OrderedJson::array();
    for (const RssSample& s : samples) rows.push_back({s.timeNs, s.bytes, s.run});
    return rows;
}

std::vector<RssSample> samplesFromJson(const Field& field) {
    std::vector<RssSample> samples(field.array().size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const Field row = field.at(i);
        row.array(3);
        samples[i] = {row.at(0).integer(kInt64Min, kInt64Max), row.at(1).bytes(), row.at(2).int32()};
    }
    return samples;
}

// [node, body, name]
OrderedJson bodyValuesToJson(const std::vector<BodyValue>& values) {
    OrderedJson rows = OrderedJson::array();
    for (const BodyValue& v : values) rows.push_back({v.node, v.body, v.name});
    return rows;
}

std::vector<BodyValue> bodyValuesFromJson(const Field& field) {
    std::vector<BodyValue> values(field.array().size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        const Field row = field.at(i);
        row.array(3);
        values[i] = {row.at(0).int32(), row.at(1).string(), row.at(2).string()};
    }
    return values;
}

}  // namespace

OrderedJson runStatsToJson(const RunStats& s) {
    OrderedJson bytesAtStart = OrderedJson::array();
    for (std::size_t b : s.bytesAtStart) bytesAtStart.push_back(b);
    return {{"run", s.run},
            {"ms", s.ms},
            {"allocations", s.allocations},
            {"peak_tracked_bytes", s.peakTrackedBytes},
            {"peak_rss_bytes", s.peakRssBytes},
            {"peak_activation_bytes", s.peakActivationBytes},
            {"minor_page_faults", s.minorPageFaults},
            {"fallback_transfers", s.fallbackTransfers},
            {"fallback_bytes", s.fallbackBytes},
            {"peak_device_heap_bytes", s.peakDeviceHeapBytes},
            {"progress_batches", s.progressBatches},
            {"bytes_at_start", std::move(bytesAtStart)},
            {"nodes", nodesToJson(s.nodes)},
            {"body_values", bodyValuesToJson(s.bodyValues)},
            {"events", eventsToJson(s.events)},
            {"rss", samplesToJson(s.rss)},
            {"device_heap", samplesToJson(s.deviceHeap)}};
}

RunStats runStatsFromJson(const Field& field) {
    RunStats s;
    s.run = field["run"].int32();
    s.ms = field["ms"].number();
    s.allocations = field["allocations"].int32();
    s.peakTrackedBytes = field["peak_tracked_bytes"].bytes();
    s.peakRssBytes = field["peak_rss_bytes"].bytes();
    s.peakActivationBytes = field["peak_activation_bytes"].bytes();
    s.minorPageFaults = static_cast<long>(field["minor_page_faults"].integer(0, std::numeric_limits<long>::max()));
    s.fallbackTransfers = field["fallback_transfers"].int32(0, std::numeric_limits<int>::max());
    s.fallbackBytes = field["fallback_bytes"].bytes();
    s.peakDeviceHeapBytes = field["peak_device_heap_bytes"].bytes();
    s.progressBatches = field["progress_batches"].int32(0, std::numeric_limits<int>::max());
    // One entry per MemoryCategory: the app indexes it by category.
    const Field start = field["bytes_at_start"];
    start.array(kMemoryCategoryCount);
    for (std::size_t c = 0; c < s.bytesAtStart.size(); ++c) s.bytesAtStart[c] = start.at(c).bytes();
    s.nodes = nodesFromJson(field["nodes"]);
    s.bodyValues = bodyValuesFromJson(field["body_values"]);
    s.events = eventsFromJson(field["events"]);
    s.rss = samplesFromJson(field["rss"]);
    s.deviceHeap = samplesFromJson(field["device_heap"]);
    return s;
}

}  // namespace interstage::session_json
