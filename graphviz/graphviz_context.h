// Graphviz keeps global state (cgraph's tables, the plugin list), so a
// process may run one layout at a time. The app lays out graphs on a worker
// (app/core/dot_layout) and the report lays out its graph figure on the GUI
// thread (report/report_graph): both take this one lock and share one
// context, so a report written while a model opens cannot race the layout.
#pragma once

#include <gvc.h>

#include <mutex>

namespace gvshared {

struct GraphvizSession {
    std::unique_lock<std::mutex> lock;
    GVC_t* context = nullptr;  // null: Graphviz could not make one
};

// Blocks until no other layout runs. One context for the process: creating
// it loads the plugin list, which costs more than laying out a small graph.
GraphvizSession lockGraphviz();

}  // namespace gvshared
