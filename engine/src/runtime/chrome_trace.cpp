#include <array>
#include <cstdio>
#include <sstream>

#include "interstage/trace.h"

namespace interstage {
namespace {

std::string escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buffer[8];
                    std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
                    out += buffer;
                } else {
                    out += c;
                }
        }
    }
    return out;
}

}  // namespace

std::string chromeTrace(const std::vector<RunStats>& runs, const std::string& label) {
    std::ostringstream out;
    out.precision(3);
    out << std::fixed << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[";
    out << "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"" << escape(label) << "\"}}";
    double offsetUs = 0;
    for (const RunStats& run : runs) {
        out << ",{\"name\":\"run " << run.run
            << "\",\"cat\":\"run\",\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":" << offsetUs << ",\"dur\":" << run.ms * 1000
            << "}";
        for (const NodeTiming& n : run.nodes)
            out << ",{\"name\":\"" << escape(n.name) << "\",\"cat\":\"" << escape(n.op)
                << "\",\"ph\":\"X\",\"pid\":1,\"tid\":2,\"ts\":" << offsetUs + n.startMs * 1000
                << ",\"dur\":" << n.ms * 1000 << "}";
        // Tracked bytes by category, replayed from the run's events. Bytes
        // held before the run (weights, kept buffers) are the baseline.
        std::array<long long, kMemoryCategoryCount> held{};
        for (int c = 0; c < kMemoryCategoryCount; ++c)
            held[static_cast<size_t>(c)] = static_cast<long long>(run.bytesAtStart[static_cast<size_t>(c)]);
        for (const MemoryEvent& e : run.events) {
            held[static_cast<size_t>(e.category)] += e.bytes;
            out << ",{\"name\":\"tracked memory\",\"ph\":\"C\",\"pid\":1,\"ts\":" << offsetUs + e.timeNs / 1000.0
                << ",\"args\":{";
            for (int c = 0; c < kMemoryCategoryCount; ++c)
                out << (c ? "," : "") << "\"" << memoryCategoryName(static_cast<MemoryCategory>(c))
                    << "\":" << held[static_cast<size_t>(c)];
            out << "}}";
        }
        for (const RssSample& s : run.rss)
            out << ",{\"name\":\"resident memory\",\"ph\":\"C\",\"pid\":1,\"ts\":" << offsetUs + s.timeNs / 1000.0
                << ",\"args\":{\"rss\":" << s.bytes << "}}";
        offsetUs += run.ms * 1000 + 1000;  // a millisecond between runs
    }
    out << "]}\n";
    return out.str();
}

}  // namespace interstage
