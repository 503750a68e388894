// How the graph a session executes relates to the file's graph the view
// draws. Fusion keeps the head's name for the fused node (a Conv that
// absorbed its BatchNorm and Relu runs as the Conv) and its tail's output
// value; constant folding removes nodes that then never run; sequence
// lowering adds nodes named "<file node>/<op>_<n>". From the executed node
// names by step and the plan's memory map (whose names are executed value
// names), this maps every step to the file nodes it stands for, so a step,
// a heat colour or the peak can be shown on the file's graph.
#pragma once

#include <QSet>
#include <QString>
#include <cstddef>
#include <string>
#include <vector>

#include "interstage/graph.h"
#include "interstage/run_stats.h"

namespace appcore {

struct ExecutedNodes {
    std::vector<std::vector<int>> fileNodesOfStep;  // step -> Graph::nodes indices it stands for
    std::vector<int> stepOfFileNode;                // Graph::nodes index -> its (first) step; -1: did not run
    // The file graph's node and value names (for GraphStep), by index.
    std::vector<QString> nodeNames;
    std::vector<QString> valueNames;
    int steps() const { return static_cast<int>(fileNodesOfStep.size()); }
};

// `executedNodeNames` by step (RunSetResult::executedNodeNames); `map` the
// plan (RunSetResult::memoryMap). `file` is the file's graph with shapes
// resolved (ModelDocument::resolved): a node whose outputs all have a
// constant value was folded away.
ExecutedNodes mapExecutedNodes(const interstage::Graph& file, const std::vector<std::string>& executedNodeNames,
                               const std::vector<interstage::TensorPlacement>& map);

// What the graph view shows at one step, by file graph names: the node(s)
// running, the tensors alive (edges), and every tensor made so far (the
// ones made but not alive are freed). A tensor fusion removed (inside a
// fused node) counts as made at its node's step, never alive; a graph
// input the plan leaves out is alive from the start to its last reader.
struct GraphStep {
    QSet<QString> runningNodes;
    QSet<QString> liveValues;
    QSet<QString> madeValues;
};
GraphStep graphStepAt(const ExecutedNodes& nodes, const interstage::Graph& file,
                      const std::vector<interstage::TensorPlacement>& map, int step);

// Memory per file node from a plan: the bytes alive at its step
// (interstage::liveBytesPerStep) and what its step allocates and frees
// (tensors made there; tensors whose last reader it is, graph outputs and
// pinned tensors aside). Nodes that did not run have ran == false.
struct NodeMemory {
    std::vector<bool> ran;  // by Graph::nodes index
    std::vector<int> step;  // its step; -1 when it did not run
    std::vector<std::size_t> liveBytes;
    std::vector<std::size_t> addedBytes;
    std::vector<std::size_t> freedBytes;
    int peakStep = -1;
    std::size_t peakBytes = 0;
    std::vector<int> peakNodes;  // the file nodes of the peak step
    QString source;              // what the numbers come from ("reduce · 1 thread · cpu")
    bool empty() const { return ran.empty(); }
};
NodeMemory nodeMemoryOf(const ExecutedNodes& nodes, const std::vector<interstage::TensorPlacement>& map,
                        const QString& source);

}  // namespace appcore
