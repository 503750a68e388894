// What a figure laid out, in its logical pixels: for tests that check the
// page's rules (legend clear of the data, every reference line named, the
// title naming the configuration) and for callers placing captions.
#pragma once

#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QStringList>
#include <vector>

#include "report/figure.h"

namespace report {

struct FigureLayout {
    QSizeF logicalSize;  // the px the figure was laid out at, before scaling into the rect
    QString title, subtitle, footnote;
    QRectF axisRect;    // the data area
    QRectF legendRect;  // empty when there is no legend
    int legendColumns = 0;
    QStringList legendNames;  // the legend's entries, in order
    // One entry per reference line drawn (bounds, budget, peak, peak step):
    // the text drawn beside it. A line without a name would have "".
    QStringList referenceLabels;
    int referenceLines = 0;          // lines and marked points drawn; each has its entry above
    std::vector<QRectF> labelRects;  // where those names were placed
    QString error;                   // the reason nothing but this sentence was drawn ("" : drawn)
};

// The reason the options do not fit the document ("" when they do): no
// such set or run, a set without runs (timeline) or plan (memory map), no
// set with runs (timings), a Custom target without a size.
QString figureInputError(const interstage::SavedSession& session, const FigureOptions& options);

// drawFigure, returning what it laid out.
FigureLayout drawFigureWithLayout(QPainter& painter, const QRectF& rect, const interstage::SavedSession& session,
                                  const FigureOptions& options);

}  // namespace report
