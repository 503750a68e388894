// Charts drawn for the page from a saved session: each figure is made
// afresh (an off-screen QCustomPlot sized to the target, filled from the
// document, painted with vector commands) with a title naming the model,
// the configuration and the run, axis labels with units, a legend in its
// own row that never covers data, every reference line named where it is
// drawn, and a footnote with the tool's version, the date and the options.
#pragma once

#include <QSizeF>
#include <QString>
#include <vector>

#include "interstage/session_file.h"

class QPainter;
class QRectF;

namespace report {

enum class ChartKind { Timeline, MemoryMap, Timings };
// Light: colour for screens and slides. Print: readable in greyscale (dash
// and brush patterns, black text; no meaning carried by colour alone).
enum class Style { Light, Print };
// Slide: 1920x1080 px. Column: 85 mm wide (x 60 mm) at the DPI. Custom: `size` in px.
enum class Target { Slide, Column, Custom };

struct FigureOptions {
    ChartKind kind = ChartKind::Timeline;
    Style style = Style::Light;
    Target target = Target::Slide;
    QSizeF size;           // Custom only (px)
    double dpi = 300;      // PNG of Column/Custom sizes in mm
    int set = -1;          // index into SavedSession::runSets (-1: the last)
    int run = -1;          // 1-based run of that set (-1: its last)
    bool overlays = true;  // timeline: earlier sets' tracked bytes as named lines
    // Timeline: earlier sets left out of the overlays (indices into
    // runSets), as the app's overlay list has them unticked.
    std::vector<int> hiddenOverlays;
    QString footnote;  // empty: footnoteFor(session, set)
};

// A chart's name on command lines and in the app's exports: "timeline",
// "map" (or "memorymap"), "timings"; false for any other name.
bool chartKindFromName(const QString& name, ChartKind* kind);

// What saveFigure renders at (px): Slide 1920x1080, Column 85x60 mm at the
// DPI, Custom its size.
QSizeF figurePixelSize(const FigureOptions& options);

// Draws the figure into `rect` of any painter: vector commands on PDF and
// SVG painters. Fonts are sized from the target (and rect). A document the
// options do not fit (no such set, no runs) draws the reason as text.
void drawFigure(QPainter& painter, const QRectF& rect, const interstage::SavedSession& session,
                const FigureOptions& options);

// Writes .png (at figurePixelSize, carrying its DPI), .svg or .pdf (the
// figure's size in mm, no margins), by the path's suffix. False with a
// sentence in *error: unknown suffix, unwritable path, a set or run out of
// range, a set without runs.
bool saveFigure(const QString& path, const interstage::SavedSession& session, const FigureOptions& options,
                QString* error);

// "Interstage 0.1.0 · 2026-12-07 · reduce (T,T,T,F), 2 threads, cpu,
// input x 1x3x320x320, run 3 of 3": the tool, the document's date and the
// exact options of set `set` (-1: the last).
QString footnoteFor(const interstage::SavedSession& session, int set);

}  // namespace report
