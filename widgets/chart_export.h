// Saving charts as images and their data as CSV. Every function returns
// false and fills *error (when given) with a sentence naming the file and
// the problem; nothing is left half written.
#pragma once

#include <QString>
#include <QStringList>
#include <vector>

#include "core/run_types.h"

class QCustomPlot;

namespace widgets {

// The plot as it is on screen, by the path's suffix: .png (twice the
// on-screen resolution), .jpg, .pdf or .svg (vector).
bool exportChart(QCustomPlot* plot, const QString& path, QString* error);

// One row per run of every set:
// config,run,ms,peak_tracked_bytes,peak_rss_bytes,allocations,minor_page_faults
bool exportTimingsCsv(const std::vector<appcore::RunSetResult>& sets, const QString& path, QString* error);

// One row per memory event of the set's last run:
// time_ms,bytes,category,tensor,node,tracked_bytes
// tensor is the name from tensorNames (by tensor id) when given, else the
// id; node is the node's name (RunSetResult::executedNodeNames) when known,
// else the step; tracked_bytes is the total held after the event.
bool exportTimelineCsv(const appcore::RunSetResult& set, const QString& path, QString* error,
                       const QStringList& tensorNames = {});

}  // namespace widgets
