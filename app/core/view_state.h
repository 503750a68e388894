// What a saved session remembers of the window beyond its run sets: the
// chart tab shown, the node selected and the run panel's settings. Kept
// as a small JSON object (SavedSession::viewState), so that the engine's
// file format does not need to know the app's widgets.
#pragma once

#include <QString>
#include <QStringList>
#include <optional>

#include "core/run_types.h"

namespace appcore {

struct ViewState {
    QString tab;           // "timeline", "map", "timings" (empty: leave as is)
    QString selectedNode;  // node name (empty: none)
    // The run panel's settings (backend, threads, memory flags, run count,
    // kept tensors); input shapes travel as the session's own.
    std::optional<RunConfig> panel;
    // The model's value names by id (MemoryEvent::tensor): the timeline's
    // hover names tensors with them also when the session opens without
    // its model.
    QStringList tensorNames;
};

QString viewStateToJson(const ViewState& state);
// Lenient by design: the view state only restores comfort, never data, so
// a field that is missing or of the wrong type is left out, not an error.
ViewState viewStateFromJson(const QString& text);

}  // namespace appcore
