#include "interstage/export_csv.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "interstage/dtype.h"

namespace interstage {
namespace {

constexpr const char* kEnd = "\r\n";  // RFC 4180 line end

// The shortest text that reads back as the same double; NaN: empty.
std::string number(double value) {
    if (!std::isfinite(value)) return {};
    char text[32];
    const auto end = std::to_chars(text, text + sizeof text, value).ptr;
    return std::string(text, end);
}

std::string msOf(std::int64_t ns) { return number(static_cast<double>(ns) / 1e6); }

// Fields joined into one line.
class Row {
public:
    explicit Row(std::string& out) : out_(out) {}
    ~Row() { out_ += kEnd; }
    Row(const Row&) = delete;
    Row& operator=(const Row&) = delete;
    template <typename T>
    Row& operator<<(const T& value) {
        if (!first_) out_ += ',';
        first_ = false;
        if constexpr (std::is_arithmetic_v<T>)
            out_ += std::to_string(value);
        else
            out_ += csvField(value);
        return *this;
    }

private:
    std::string& out_;
    bool first_ = true;
};

std::string nameAt(const std::vector<std::string>& names, long index) {
    if (index < 0) return {};
    return static_cast<std::size_t>(index) < names.size() ? names[static_cast<std::size_t>(index)]
                                                          : std::to_string(index);
}

// The tensor an event holds: a graph value by name, a body's value by its
// body and name, else its index (a file without the names).
std::string eventTensor(const SavedRunSet& set, const RunStats& run, const MemoryEvent& e) {
    if (e.bodyValue >= 0 && static_cast<std::size_t>(e.bodyValue) < run.bodyValues.size()) {
        const BodyValue& b = run.bodyValues[static_cast<std::size_t>(e.bodyValue)];
        return b.body + " › " + b.name;
    }
    return nameAt(set.executedValueNames, e.tensor);
}

std::string dtypeName(int dtype) {
    return dtype > 0 && isKnownDataType(dtype) ? dataTypeName(static_cast<DataType>(dtype)) : std::string();
}

Status writeOne(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) {
        const std::error_code ec(errno, std::generic_category());
        return Status(StatusCode::IoError, "cannot write '" + path.string() + "': " + ec.message());
    }
    return Status::ok();
}

}  // namespace

std::string csvField(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

std::string setsCsv(const SavedSession& session) {
    std::string out;
    Row(out) << "set"
             << "label"
             << "mode"
             << "backend"
             << "threads"
             << "runs"
             << "planned_peak_bytes"
             << "plan_peak_bytes"
             << "lower_bound_bytes"
             << "aliased_lower_bound_bytes"
             << "error";
    for (const SavedRunSet& s : session.runSets) {
        Row(out) << s.setId << s.label << s.options.mode.name() << s.options.backend << s.options.threads
                 << static_cast<int>(s.runs.size()) << s.plannedPeakBytes << s.peak.planPeakBytes << s.lowerBoundBytes
                 << s.aliasedLowerBoundBytes << s.error;
    }
    return out;
}

std::string planCsv(const SavedSession& session) {
    std::string out;
    Row(out) << "set"
             << "name"
             << "bytes"
             << "dtype"
             << "buffer"
             << "offset"
             << "first_step"
             << "last_step"
             << "role"
             << "host"
             << "kept"
             << "per_run_buffer";
    for (const SavedRunSet& s : session.runSets) {
        // The roles are known only where the file has them, row for row.
        const bool roles = s.planTensors.size() == s.memoryMap.size();
        for (std::size_t i = 0; i < s.memoryMap.size(); ++i) {
            const TensorPlacement& p = s.memoryMap[i];
            const PlanTensorFacts facts = roles ? s.planTensors[i] : PlanTensorFacts{};
            Row(out) << s.setId << p.name << p.bytes << dtypeName(facts.dtype) << p.buffer << p.offset << p.first
                     << p.last << facts.role << facts.host << int(p.kept) << int(p.perRunBuffer);
        }
    }
    return out;
}

std::string nodeTimesCsv(const SavedSession& session) {
    std::string out;
    Row(out) << "set"
             << "run"
             << "step"
             << "node"
             << "op"
             << "start_ms"
             << "ms";
    for (const SavedRunSet& s : session.runSets)
        for (const RunStats& r : s.runs)
            for (std::size_t step = 0; step < r.nodes.size(); ++step) {
                const NodeTiming& n = r.nodes[step];
                Row(out) << s.setId << r.run << static_cast<long>(step) << n.name << n.op << number(n.startMs)
                         << number(n.ms);
            }
    return out;
}

std::string memoryEventsCsv(const SavedSession& session) {
    std::string out;
    Row(out) << "set"
             << "run"
             << "time_ms"
             << "bytes"
             << "category"
             << "tensor"
             << "node";
    for (const SavedRunSet& s : session.runSets)
        for (const RunStats& r : s.runs)
            for (const MemoryEvent& e : r.events)
                Row(out) << s.setId << e.run << msOf(e.timeNs) << static_cast<long long>(e.bytes)
                         << std::string(memoryCategoryName(e.category)) << eventTensor(s, r, e)
                         << nameAt(s.executedNodeNames, e.node);
    return out;
}

std::string rssCsv(const SavedSession& session) {
    std::string out;
    Row(out) << "set"
             << "run"
             << "time_ms"
             << "bytes";
    for (const SavedRunSet& s : session.runSets)
        for (const RunStats& r : s.runs)
            for (const RssSample& sample : r.rss)
                Row(out) << s.setId << sample.run << msOf(sample.timeNs) << sample.bytes;
    return out;
}

Status writeCsvExports(const std::string& dir, const SavedSession& session) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status(StatusCode::IoError, "cannot make the CSV folder '" + dir + "': " + ec.message());
    if (!std::filesystem::is_directory(dir, ec))
        return Status(StatusCode::IoError, "cannot write CSV files into '" + dir + "': not a folder");
    const std::string tables[] = {setsCsv(session), planCsv(session), nodeTimesCsv(session), memoryEventsCsv(session),
                                  rssCsv(session)};
    for (std::size_t i = 0; i < std::size(kCsvFiles); ++i)
        IS_RETURN_IF_ERROR(writeOne(std::filesystem::path(dir) / kCsvFiles[i], tables[i]));
    return Status::ok();
}

}  // namespace interstage
