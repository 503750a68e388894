#include "interstage/run_json.h"

#include <nlohmann/json.hpp>

namespace interstage {

std::string runStatsJson(const RunStats& stats, bool deviceHeapSampled) {
    nlohmann::json nodes = nlohmann::json::array();
    for (const auto& n : stats.nodes) {
        nlohmann::json node = {{"name", n.name}, {"op", n.op}, {"ms", n.ms}, {"start_ms", n.startMs}};
        if (n.cpuFallback) node["cpu_fallback"] = true;
        nodes.push_back(std::move(node));
    }
    nlohmann::json run = {{"run", stats.run},
                          {"ms", stats.ms},
                          {"nodes", std::move(nodes)},
                          {"allocations", stats.allocations},
                          {"peak_tracked_bytes", stats.peakTrackedBytes},
                          {"peak_rss_bytes", stats.peakRssBytes},
                          {"peak_activation_bytes", stats.peakActivationBytes},
                          {"minor_page_faults", stats.minorPageFaults},
                          {"peak_block_cache_bytes", stats.peakBlockCacheBytes},
                          {"handed_over_bytes", stats.handedOverBytes},
                          {"peak_shared_page_bytes", stats.peakSharedPageBytes},
                          {"fallback_transfers", stats.fallbackTransfers},
                          {"fallback_bytes", stats.fallbackBytes},
                          {"progress_batches", stats.progressBatches}};
    if (deviceHeapSampled) run["peak_device_heap_bytes"] = stats.peakDeviceHeapBytes;
    return run.dump();
}

}  // namespace interstage
