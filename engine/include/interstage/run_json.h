// One run's statistics as JSON: what `interstage-cli run --json` writes per
// run and what the app's data export writes, from one writer.
#pragma once

#include <string>

#include "interstage/run_stats.h"

namespace interstage {

// An object with ms, nodes (name, op, ms, start_ms; cpu_fallback where
// true), allocations, peak_tracked_bytes, peak_rss_bytes,
// peak_activation_bytes, minor_page_faults, fallback_transfers,
// fallback_bytes, progress_batches, and peak_device_heap_bytes when the
// device heap was sampled.
std::string runStatsJson(const RunStats& stats, bool deviceHeapSampled);

}  // namespace interstage
