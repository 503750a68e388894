// The graph view's legend: a small card over the view's corner naming what
// the colours mean (op families, or the size / lifetime ramp). A plain
// child widget, so it stays put while the scene scrolls under it.
#pragma once

#include <QColor>
#include <QString>
#include <QVector>
#include <QWidget>

namespace widgets {

class GraphLegend : public QWidget {
public:
    struct Swatch {
        QColor fill;
        QColor border;
        QString text;
    };

    explicit GraphLegend(QWidget* parent);

    void showSwatches(const QString& title, const QVector<Swatch>& swatches);
    // A colour ramp from `low` to `high` (the end labels).
    void showRamp(const QString& title, const QString& low, const QString& high);
    // A diverging ramp (graphstyle::divergingColor) from `low` through
    // `mid` to `high`, e.g. "-3 MiB" / "0" / "+3 MiB".
    void showDivergingRamp(const QString& title, const QString& low, const QString& mid, const QString& high);
    // A line under the ramp ("grey: did not run"); cleared by each show.
    void setNote(const QString& note);
    QString title() const { return title_; }
    QString lowLabel() const { return low_; }
    QString highLabel() const { return high_; }

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QString title_;
    QVector<Swatch> swatches_;
    bool ramp_ = false;
    QString low_;
    QString high_;
    bool diverging_ = false;
    QString mid_;
    QString note_;
};

}  // namespace widgets
