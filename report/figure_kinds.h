// Inside the figures: each chart kind fills a FigureFrame from the
// document, and the helpers they share to name what they show.
#pragma once

#include <QString>

#include "interstage/session_file.h"
#include "report/figure.h"
#include "report/figure_frame.h"

namespace report {

// options.set resolved (-1: the last); may be out of range.
int resolvedSetIndex(const interstage::SavedSession& session, int set);
// options.run resolved to a 0-based index into the set's runs (-1: the last).
int resolvedRunIndex(const interstage::SavedRunSet& set, int run);

// "u2netp.onnx": the model's file name.
QString modelFileName(const interstage::SavedSession& session);
// "reduce (T,T,T,F) · 2 threads · cpu": the set's configuration, flags spelled.
QString configurationLabel(const interstage::SavedRunSet& set);
// The footnote of one set and run (runIndex 0-based, -1: its last).
QString footnoteForRun(const interstage::SavedSession& session, int set, int runIndex);

// Fill the frame: data, axes, legend entries, named reference lines,
// title and subtitle. The options were checked by figureInputError.
void buildTimeline(FigureFrame& frame, const interstage::SavedSession& session, const FigureOptions& options);
void buildMemoryMap(FigureFrame& frame, const interstage::SavedSession& session, const FigureOptions& options);
void buildTimings(FigureFrame& frame, const interstage::SavedSession& session, const FigureOptions& options);

}  // namespace report
