#include "seed_table_output.h"

#include <iomanip>
#include <iostream>
#include <sstream>

#include "interstage/memory.h"
#include "interstage/seed_table.h"

namespace interstage::cli {
namespace {

// The tutorial prints MB; our bytes are shown the same way (10^6) so the
// columns compare digit for digit.
double megabytes(std::size_t bytes) { return double(bytes) / 1e6; }

std::string joined(const std::vector<double>& ms) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(0);
    for (size_t i = 0; i < ms.size(); ++i) s << (i ? " " : "") << ms[i];
    return s.str();
}

const SeedComparison* oursFor(const std::vector<SeedComparison>& ours, const std::string& preset) {
    for (const SeedComparison& c : ours)
        if (c.preset == preset) return &c;
    return nullptr;
}

std::string flagsOf(const std::string& preset) {
    for (const MemoryPreset& p : memoryPresets())
        if (preset == p.name) return sdkFlags(p.mode);
    return "?";
}

}  // namespace

void printSeedTable(const std::vector<SeedComparison>& ours, const std::string& model) {
    std::cout << "\nthe seed's table beside ours (" << seedSource() << "; ours: " << model << ", this machine)\n";
    std::cout << std::left << std::setw(9) << "preset" << std::setw(10) << "flags" << std::right << std::setw(12)
              << "seed MB" << std::setw(13) << "ours RSS MB" << std::setw(17) << "ours tracked MB"
              << "   seed CPU ms / ours ms, run by run\n";
    std::cout << std::fixed << std::setprecision(1);
    for (const SeedRow& row : seedTable()) {
        const SeedComparison* c = oursFor(ours, row.preset);
        std::cout << std::left << std::setw(9) << row.preset << std::setw(10) << flagsOf(row.preset) << std::right
                  << std::setw(12) << row.peakMB;
        if (c)
            std::cout << std::setw(13) << megabytes(c->peakRssBytes) << std::setw(17) << megabytes(c->peakTrackedBytes)
                      << "   " << joined(row.cpuMs) << " / " << joined(c->runMs);
        else
            std::cout << std::setw(13) << "-" << std::setw(17) << "-"
                      << "   " << joined(row.cpuMs) << " / (refused)";
        std::cout << "\n";
    }
    std::cout << seedMethodNote() << "\n";
}

nlohmann::json seedTableJson(const std::vector<SeedComparison>& ours) {
    nlohmann::json rows = nlohmann::json::array();
    for (const SeedRow& row : seedTable()) {
        nlohmann::json r = {{"preset", row.preset},
                            {"sdk_flags", flagsOf(row.preset)},
                            {"seed_peak_mb", row.peakMB},
                            {"seed_cpu_ms", row.cpuMs}};
        if (const SeedComparison* c = oursFor(ours, row.preset)) {
            r["peak_rss_mb"] = megabytes(c->peakRssBytes);
            r["peak_tracked_mb"] = megabytes(c->peakTrackedBytes);
            r["run_ms"] = c->runMs;
        }
        rows.push_back(std::move(r));
    }
    return {{"source", seedSource()}, {"method", seedMethodNote()}, {"rows", std::move(rows)}};
}

}  // namespace interstage::cli
