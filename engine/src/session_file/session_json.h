// The pieces of a session document, each written and read by one pair of
// functions (docs/session_format.md lists every field and column). Readers
// throw FieldError naming the field; sessionFromJson catches it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "interstage/memory_budget.h"
#include "interstage/run_stats.h"
#include "interstage/session_file.h"
#include "interstage/session_options.h"
#include "interstage/tensor.h"
#include "session_file/json_fields.h"

namespace interstage::session_json {

// session_json_stats.cpp: a run's statistics with its big arrays as rows.
OrderedJson runStatsToJson(const RunStats& stats);
RunStats runStatsFromJson(const Field& field);

// session_json_plan.cpp: the memory map, one row per placed tensor.
OrderedJson placementsToJson(const std::vector<TensorPlacement>& map);
std::vector<TensorPlacement> placementsFromJson(const Field& field);

// session_json_options.cpp: a run set's configuration.
OrderedJson optionsToJson(const SessionOptions& options);
SessionOptions optionsFromJson(const Field& field);
OrderedJson inputShapesToJson(const InputShapes& shapes);
InputShapes inputShapesFromJson(const Field& field);
OrderedJson budgetToJson(const MemoryBudget& budget);
MemoryBudget budgetFromJson(const Field& field);
// Input values: dtype (ONNX number), shape, bytes in base64 (or strings).
OrderedJson tensorToJson(const TensorData& tensor);
TensorData tensorFromJson(const Field& field);

std::vector<std::string> stringsFromJson(const Field& field);

// session_json_facts.cpp: the optional export facts (the report's input).
OrderedJson modelFactsToJson(const ModelFacts& facts);
ModelFacts modelFactsFromJson(const Field& field);
// Rows [dtype, role, host], parallel to the memory map.
OrderedJson planTensorsToJson(const std::vector<PlanTensorFacts>& tensors);
std::vector<PlanTensorFacts> planTensorsFromJson(const Field& field);
OrderedJson peakToJson(const PeakExplanation& peak);
PeakExplanation peakFromJson(const Field& field);

}  // namespace interstage::session_json
