// The look of the page figures: fonts sized per target, and the palette of
// each style. Light carries meaning in colour for screens and slides;
// Print carries it in grey levels, dash patterns and hatching, so a
// greyscale copy of a paper or a handout still tells every series apart.
#pragma once

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QPen>
#include <QSizeF>
#include <QString>

#include "interstage/memory.h"
#include "report/figure.h"

class QCustomPlot;
class QCPAxisRect;

namespace report {

struct FigureFonts {
    double basePx = 12;  // the body text size every other size derives from
    QFont title, subtitle, axisLabel, tickLabel, legend, reference, footnote;
    double lineWidth = 1;  // data lines; reference lines are a little thinner
};

// Slide: about 22 px at 1920x1080 (readable from the back of a room);
// Column: 7 pt at the DPI over 85 mm; Custom: grows with the figure's area.
FigureFonts fontsFor(const FigureOptions& options, const QSizeF& logicalSize);

// Background, grid, axes and tick labels of the style.
void applyFigureTheme(QCustomPlot& plot, Style style, const FigureFonts& fonts);
// The same for a second panel's axes.
void applyAxisRectTheme(QCPAxisRect& rect, Style style, const FigureFonts& fonts);

QColor textColor(Style style);
QColor mutedTextColor(Style style);

// A memory category's band in the stacked timeline.
QBrush categoryBrush(Style style, interstage::MemoryCategory category);
QPen categoryPen(Style style, interstage::MemoryCategory category, double width);
// "Weights", "Interstage", ...: the engine's names, capitalised for legends.
QString categoryLabel(interstage::MemoryCategory category);

// The i-th run set's line (overlays) and bars (timings): a colour each in
// Light, a dash pattern or hatching each in Print.
QPen seriesPen(Style style, int index, double width);
QBrush seriesBrush(Style style, int index);

// The named lines drawn over the data.
enum class Reference { LowerBound, AliasedBound, Budget, Peak, PeakStep, Held };
QPen referencePen(Style style, Reference reference, double width);

// Placed tensors in the memory map: shade by size (darker is bigger), and
// the kinds apart from the plain tensors.
QBrush tensorBrush(Style style, double sizeFraction);
enum class BlockKind { Tensor, Kept, Workspace, HeldLane, InsideHost };
QBrush blockBrush(Style style, BlockKind kind);
QPen blockPen(Style style, BlockKind kind, double width);

double toMiB(double bytes);
// "10.3 MiB", "812.0 KiB": the engine's formatting, as the app shows sizes.
QString formatBytes(double bytes);
QString formatMs(double ms);

}  // namespace report
