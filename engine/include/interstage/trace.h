// Chrome trace format (the JSON that Perfetto and chrome://tracing open):
// per-node spans and memory counters for a set of runs.
#pragma once

#include <string>
#include <vector>

#include "interstage/session.h"

namespace interstage {

// Runs are laid one after another on the time axis; each run's nodes are
// "X" spans on one track, memory counters ("C") show tracked bytes by
// category and the process's resident memory.
std::string chromeTrace(const std::vector<RunStats>& runs, const std::string& label);

}  // namespace interstage
