// The export document's data as CSV (RFC 4180: comma separated, CRLF
// line ends, fields with a comma, quote or line break quoted, quotes
// doubled), one table per file, so that any chart can be redrawn in a
// spreadsheet or a plotting script. Every row names its run set by
// set_id; sets.csv gives each set's label and configuration.
#pragma once

#include <string>
#include <string_view>

#include "interstage/session_file.h"
#include "interstage/status.h"

namespace interstage {

// One field, quoted when it must be.
std::string csvField(std::string_view text);

// set, label, mode, backend, threads, runs, planned_peak_bytes,
// plan_peak_bytes, lower_bound_bytes, aliased_lower_bound_bytes, error
std::string setsCsv(const SavedSession& session);
// set, name, bytes, dtype, buffer, offset, first_step, last_step, role,
// host, kept, per_run_buffer (role, host, dtype empty when not known)
std::string planCsv(const SavedSession& session);
// set, run, step, node, op, start_ms, ms
std::string nodeTimesCsv(const SavedSession& session);
// set, run, time_ms, bytes, category, tensor, node (bytes < 0: a free;
// run 0: session set-up)
std::string memoryEventsCsv(const SavedSession& session);
// set, run, time_ms, bytes
std::string rssCsv(const SavedSession& session);

// The file names the tables are written to, in order.
constexpr const char* kCsvFiles[] = {"sets.csv", "plan.csv", "node_times.csv", "events.csv", "rss.csv"};

// Writes every table into `dir` (created when missing). A folder that
// cannot be made or written gives an error naming it and why.
Status writeCsvExports(const std::string& dir, const SavedSession& session);

}  // namespace interstage
