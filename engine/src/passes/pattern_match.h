// Small queries the transformer fusions share while they walk a pattern:
// which node alone reads or writes a value that may vanish, and whether a
// constant holds the number a pattern needs.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "interstage/graph.h"
#include "passes/passes.h"

namespace interstage::pattern {

// A float32 value the fusion may remove: produced by a node, not a graph
// output, not pinned.
bool removable(const Graph& graph, ValueId id, const std::set<std::string>& pinned);

// The node reading `id` when it is its only reader and `id` is removable.
Node* soleConsumer(Graph& graph, ValueId id, const std::set<std::string>& pinned);

// The node producing `id` when `consumer` is its only reader and `id` is
// removable.
Node* soleProducer(Graph& graph, ValueId id, const std::set<std::string>& pinned);

// A default-domain node of `opType` (nullptr-safe).
bool is(const Node* node, const char* opType);

// The value of a one-element float32 constant.
std::optional<float> scalarOf(const Graph& graph, ValueId id);

// A one-element float32 constant within a relative tolerance of `expected`
// (exporters round sqrt(2) and sqrt(2/pi) differently).
bool scalarNear(const Graph& graph, ValueId id, float expected, float tolerance = 1e-4f);

// For a binary node with `x` on one side: the other input, else kNoValue.
ValueId otherInput(const Node& node, ValueId x);

// The float32 constant of exactly `count` elements laid out along the last
// axis ([count] or [1, .., count]), for per-channel parameters.
const TensorData* lastAxisVector(const Graph& graph, ValueId id, int64_t count);

// Records the removed intermediates and clears the nodes that made them
// (the caller compacts the graph once).
void dropNodes(Graph& graph, const std::vector<Node*>& nodes, const std::string& into, RemovedValues& removed);

}  // namespace interstage::pattern
