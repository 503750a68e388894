// A run's statistics and a session's plan as plain Python objects: dicts
// of scalars, and columns of numbers as numpy arrays (one entry per node,
// event, sample or tensor).
#pragma once

#include <pybind11/pybind11.h>

#include "interstage/run_stats.h"
#include "interstage/session.h"

namespace interstage::python {

// {"run", "ms", "allocations", "peak_tracked_bytes", ..., "nodes": {name,
// op, ms, start_ms, cpu_fallback}, "events": {time_ns, bytes, category,
// device, tensor, node, run}, "rss": {time_ns, bytes}, "device_heap",
// "bytes_at_start": {category: bytes}}. Event tensors are named from the
// executed graph (body values from the run's table); None where an event
// holds no tensor.
pybind11::dict runStatsToPython(const RunStats& stats, const Graph& executed);

// {"lower_bound_bytes", "executed_lower_bound_bytes",
// "aliased_lower_bound_bytes", "planned_peak_bytes",
// "planned_buffer_peak_bytes", "weight_bytes", "execution_order",
// "memory_budget", "steps" (node names in execution order), "tensors":
// {name, first, last, bytes, buffer, offset, kept, channel_block,
// moved_at, moved_buffer, moved_offset, per_run_buffer}}.
pybind11::dict planToPython(const Session& session);

}  // namespace interstage::python
