// What an export document carries beyond the runs (session_file.h's
// ModelFacts, PlanTensorFacts, the peak), computed from a model and a
// prepared session: the report's cover, its graph figure, the plan's
// in-place roles and the peak explained, without the model at hand.
#pragma once

#include <vector>

#include "interstage/model.h"
#include "interstage/model_info.h"
#include "interstage/session.h"
#include "interstage/session_file.h"

namespace interstage {

// The file's facts (summarizeModel's counts and bound), its nodes in file
// order, and architecture "u2netp" when it is the built-in U^2-Net-P sample
// at the seed table's size (`interstage-cli zoo u2netp`: graph "u2netp"
// from producer "interstage", input 1x3x320x320 float).
// Shapes are resolved (on a copy) for `shapes`, so that the sizes and the
// bound are those of the run.
ModelFacts modelFactsOf(const Model& model, const InputShapes& shapes = {}, const ShapeOptions& options = {});
// The same from what a caller has already: the summary of `resolved` (a
// graph with its shapes resolved) and the file's producer name (the app's
// open model document).
ModelFacts modelFactsFrom(const ModelSummary& summary, const Graph& resolved, const std::string& producerName);

// One entry per row of session.memoryMap(), in the same order: dtype from
// the executed graph; role and host from the plan's geometry (a tensor
// lying inside another alive at the same time shares its bytes; a Concat
// input whose pages moved lies in the Concat's output).
std::vector<PlanTensorFacts> planTensorFactsOf(const Session& session);
// The same from a memory map and the graph its names belong to.
std::vector<PlanTensorFacts> planTensorFactsOf(const std::vector<TensorPlacement>& map, const Graph& graph);

// Fills a saved run set's executedNodeOps, executedValueNames, planTensors
// and peak (without the costs) from its prepared session.
void addExportFacts(SavedRunSet& set, const Session& session);

}  // namespace interstage
