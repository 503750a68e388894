// The frame every page figure shares: an off-screen QCustomPlot (no
// parent, never shown) laid out as title, subtitle, legend row, data,
// footnote; fonts and pens from the target and style; reference lines
// that always carry their name; vector painting onto any QPainter.
#pragma once

#include <QPen>
#include <QSizeF>
#include <QString>
#include <memory>

#include "report/figure.h"
#include "report/figure_layout.h"
#include "report/figure_style.h"

class QCustomPlot;
class QCPTextElement;
class QCPLayoutGrid;
class QCPItemText;

namespace report {

class FigureFrame {
public:
    FigureFrame(const FigureOptions& options, const QSizeF& logicalSize);
    ~FigureFrame();
    FigureFrame(const FigureFrame&) = delete;
    FigureFrame& operator=(const FigureFrame&) = delete;

    QCustomPlot& plot() { return *plot_; }
    const FigureFonts& fonts() const { return fonts_; }
    Style style() const { return options_.style; }
    double lineWidth() const { return fonts_.lineWidth; }

    // Both wrap at " · " where a line would be wider than the figure.
    void setTitle(const QString& title, const QString& subtitle);
    void setFootnote(const QString& text);

    // A line across the data at `value` (y), named at the left or right end
    // (`side`: Qt::AlignLeft or Qt::AlignRight), above it or, with
    // `below`, under it. Ranges must be set first.
    void addHorizontalReference(double value, const QString& label, const QPen& pen, Qt::Alignment side,
                                bool below = false);
    // A line down the data at `key` (x), named at its top, on the side with room.
    void addVerticalReference(double key, const QString& label, const QPen& pen);
    // A dot at (key, value) named above it.
    void addPointMarker(double key, double value, const QString& label, const QPen& pen);

    // Lays the legend out in columns that fit the width, then paints the
    // plot scaled into `rect` (vector commands on vector painters).
    FigureLayout paint(QPainter& painter, const QRectF& rect);

private:
    void buildRows();
    void layoutLegend();
    QString wrapToWidth(const QString& text, const QFont& font) const;
    QCPItemText* makeLabel(const QString& text, const QPen& pen);

    FigureOptions options_;
    QSizeF size_;
    FigureFonts fonts_;
    std::unique_ptr<QCustomPlot> plot_;
    QCPTextElement* title_ = nullptr;
    QCPTextElement* subtitle_ = nullptr;
    QCPTextElement* footnote_ = nullptr;
    QCPLayoutGrid* legendRow_ = nullptr;
    QString titleText_, subtitleText_, footnoteText_;
    QStringList referenceLabels_;
};

}  // namespace report
