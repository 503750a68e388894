// `compare --seed-table`: the SDK tutorial's three rows beside ours for
// the same presets (interstage/seed_table.h).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace interstage::cli {

// Our figures for one preset, from its run document.
struct SeedComparison {
    std::string preset;
    std::size_t peakRssBytes = 0;
    std::size_t peakTrackedBytes = 0;
    std::vector<double> runMs;
};

void printSeedTable(const std::vector<SeedComparison>& ours, const std::string& model);
// {source, method, rows: [{preset, sdk_flags, seed_peak_mb, seed_cpu_ms, peak_rss_mb, peak_tracked_mb, run_ms}]}
nlohmann::json seedTableJson(const std::vector<SeedComparison>& ours);

}  // namespace interstage::cli
