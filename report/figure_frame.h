// The frame every page figure shares: an off-screen QCustomPlot (no
// parent, never shown) laid out as title, subtitle, legend row, data,
// footnote; fonts and pens from the target and style; reference lines
// that always carry their name; vector painting onto any QPainter.
#pragma once

#include <QPen>
#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QVector>
#include <memory>
#include <vector>

#include "report/figure.h"
#include "report/figure_layout.h"
#include "report/figure_style.h"

class QCustomPlot;
class QCPTextElement;
class QCPLayoutGrid;
class QCPItemText;
class QCPAxisRect;
class QCPAbstractItem;
class QCPItemLine;

namespace report {

class FigureFrame {
public:
    // Where a name may go: an anchor in pixels and how the text aligns to it.
    struct Candidate {
        QPointF anchor;
        Qt::Alignment alignment;
        int lift = 0;  // how far it rose from its line or point (0: beside it)
    };

    FigureFrame(const FigureOptions& options, const QSizeF& logicalSize);
    ~FigureFrame();
    FigureFrame(const FigureFrame&) = delete;
    FigureFrame& operator=(const FigureFrame&) = delete;

    QCustomPlot& plot() { return *plot_; }
    // The data panel (the one with plot().xAxis and yAxis). Not
    // plot().axisRect(): that is the first panel in layout order, and a
    // figure may add panels above it.
    QCPAxisRect& mainRect() { return *main_; }
    const FigureFonts& fonts() const { return fonts_; }
    QSizeF size() const { return size_; }  // logical px
    Style style() const { return options_.style; }
    double lineWidth() const { return fonts_.lineWidth; }

    // Both wrap at " · " where a line would be wider than the figure.
    void setTitle(const QString& title, const QString& subtitle);
    void setFootnote(const QString& text);

    // A line across the data at `value` (y), named at the left or right end
    // (`side`: Qt::AlignLeft or Qt::AlignRight), above it or, with
    // `below`, under it. Ranges must be set first.
    // `insideData`: the name may lie over the data below the line (the
    // line is the top of a plain band, as the bytes held from the start).
    void addHorizontalReference(double value, const QString& label, const QPen& pen, Qt::Alignment side,
                                bool below = false, bool insideData = false);
    // A line down the data at `key` (x), named at its top, on the side with room.
    void addVerticalReference(double key, const QString& label, const QPen& pen);
    // A dot at (key, value) named above it.
    void addPointMarker(double key, double value, const QString& label, const QPen& pen);

    // The top of the data drawn in the data panel, as steps (each value
    // holds from its key to the next): names are placed off it where they can.
    void setDataEnvelope(const QVector<double>& keys, const QVector<double>& values);
    // A step line drawn over the data (an earlier set's total): names keep off it.
    void addObstacleSteps(const QVector<double>& keys, const QVector<double>& values);

    // Lays the legend out in columns that fit the width, then paints the
    // plot scaled into `rect` (vector commands on vector painters).
    FigureLayout paint(QPainter& painter, const QRectF& rect);

private:
    void buildRows();
    void layoutLegend();
    void padLegendItems();
    QString wrapToWidth(const QString& text, const QFont& font) const;
    QCPItemText* makeLabel(const QString& text, const QPen& pen);
    void attach(QCPAbstractItem* item);
    QCPItemLine* makeLeader(const QPen& pen);
    void placeLabels();
    static constexpr int kLeaderFrom = 8;  // candidates from here on are lifted away, with a leader

    // A reference's name, placed after layout where it covers no other
    // name and stays inside the data area.
    struct Label {
        enum Kind { Horizontal, Vertical, Point } kind = Horizontal;
        QCPItemText* item = nullptr;
        double key = 0, value = 0;            // plot coordinates of the line or point
        Qt::Alignment side = Qt::AlignRight;  // preferred end of a horizontal line
        bool below = false;
        bool insideData = false;
        QCPItemLine* leader = nullptr;  // a point's, shown when its name sits away from it
    };
    std::vector<Label> labels_;
    QVector<double> envelopeKeys_, envelopeValues_;
    std::vector<std::pair<QVector<double>, QVector<double>>> obstacleSteps_;
    std::vector<QRectF> obstacleRects() const;  // the step lines' flat runs, in pixels
    double dataCovered(const QRectF& rect) const;
    std::vector<Candidate> candidatesFor(const Label& label, const QSizeF& size) const;

    FigureOptions options_;
    QSizeF size_;
    FigureFonts fonts_;
    std::unique_ptr<QCustomPlot> plot_;
    QCPAxisRect* main_ = nullptr;
    QCPTextElement* title_ = nullptr;
    QCPTextElement* subtitle_ = nullptr;
    QCPTextElement* footnote_ = nullptr;
    QCPLayoutGrid* legendRow_ = nullptr;
    QString titleText_, subtitleText_, footnoteText_;
    QStringList referenceLabels_;
    int referenceLines_ = 0;
    std::vector<QRectF> labelRects_;
};

}  // namespace report
