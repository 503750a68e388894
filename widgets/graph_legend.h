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

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QString title_;
    QVector<Swatch> swatches_;
    bool ramp_ = false;
    QString low_;
    QString high_;
};

}  // namespace widgets
