// Which of a graph's ops each backend can run, before anything runs: the
// app marks the nodes, `info --json` lists them, Session refuses with the
// same list.
#pragma once

#include <string>
#include <vector>

#include "interstage/graph.h"
#include "interstage/status.h"

namespace interstage {

// One op a backend lacks, with how many nodes use it and the first of them.
struct OpGap {
    std::string op;  // "LSTM", or "com.microsoft.Attention" outside the default domain
    int nodes = 0;
    NodeId firstNode = kNoNode;
};

struct OpSupport {
    std::vector<OpGap> noCpuKernel;  // cannot run on any backend (Vulkan falls back to the CPU)
    // Run on the CPU within a Vulkan session (counted as fallback): ops
    // without a shader, and control-flow nodes with their bodies.
    std::vector<OpGap> noShader;
    // What a Vulkan session cannot run at all: noCpuKernel's ops.
    std::vector<OpGap> notOnVulkan;
    // Every node that cannot run, in graph order.
    std::vector<NodeId> unsupportedNodes;
    bool runnable() const { return noCpuKernel.empty(); }
};

// Nodes that only compute weights, and shape arithmetic already folded by
// resolveShapes() (on a resolved graph), never count.
OpSupport opSupport(const Graph& graph);

// "LSTM (2 nodes, first 'lstm_1'), Loop (1 node, first 'loop')".
std::string describeGaps(const Graph& graph, const std::vector<OpGap>& gaps);

// A model opened for inspection without its external data cannot run:
// NotFound naming how much is missing and the first tensor, with why.
Status checkWeightsLoaded(const Graph& graph);

}  // namespace interstage
