// --session FILE of `run` and `compare`: the run sets they made, saved as
// a session file the app opens (interstage/session_file.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "interstage/session.h"
#include "interstage/session_file.h"
#include "run_options.h"

namespace interstage::cli {

// A run set as the app fills one: configuration, the finished runs and
// what the session knew (budget, bounds, plan, executed nodes). `session`
// may be null when it could not be created (then only the configuration
// and the error are saved).
SavedRunSet savedRunSet(int setId, const SessionOptions& options, int runsRequested,
                        const std::map<std::string, TensorData>& inputs, const Session* session,
                        std::vector<RunStats> runs, const std::string& error);

// Identifies the model and writes the sets (and the model's facts, when
// known: modelFactsOf) to o.session and as CSV tables into o.csv, each
// when asked; prints "session written to FILE (N KiB)".
Status writeSessionOutput(const RunOptions& o, const InputShapes& shapes, std::vector<SavedRunSet> sets,
                          ModelFacts facts = {});

}  // namespace interstage::cli
