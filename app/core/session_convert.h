// The app's run sets as the engine's saved-session records and back: what
// Save Session writes and what Open Session redraws the charts from.
#pragma once

#include <vector>

#include "core/model_document.h"
#include "core/run_types.h"
#include "interstage/session_file.h"

namespace appcore {

// Everything a finished set holds but the test faults (which never belong
// in a file) and the observer pointer.
interstage::SavedRunSet toSavedRunSet(const RunSetResult& result);
// The set as the charts draw it: bodyMemory is recomputed from the last
// run's events, as the run controller computes it after a live set.
RunSetResult fromSavedRunSet(const interstage::SavedRunSet& saved);

// The open model's facts for the export document (SavedSession::facts):
// its summary and resolved graph as the document holds them, nothing
// resolved again.
interstage::ModelFacts modelFactsOf(const ModelDocument& document);

std::vector<interstage::SavedRunSet> toSavedRunSets(const std::vector<RunSetResult>& results);
std::vector<RunSetResult> fromSavedRunSets(const std::vector<interstage::SavedRunSet>& saved);

}  // namespace appcore
