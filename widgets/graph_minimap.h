// The graph view's minimap: the whole graph scaled down in a corner, the
// part on screen outlined, a click or drag there moves the view. When the
// view has memory per node (a run set or a plan), a red marker shows where
// the peak step's node is, however far the view has scrolled from it.
#pragma once

#include <QPixmap>
#include <QRectF>
#include <QString>
#include <QWidget>

namespace widgets {

class GraphView;

class GraphMinimap : public QWidget {
public:
    explicit GraphMinimap(GraphView* view);

    // Paints the scene again (a new layout, new colours) and resizes to
    // the scene's shape; hidden while the view has no graph.
    void refresh();
    // The peak step's box in scene coordinates; a null rect removes it.
    void setPeakMarker(const QRectF& sceneRect, const QString& tooltip);
    bool hasPeakMarker() const { return !peak_.isNull(); }
    QRectF peakMarkerSceneRect() const { return peak_; }
    // Bottom left of the view's viewport (the legend has the bottom right).
    void place();

    // Between widget pixels and scene coordinates.
    QPointF toScene(const QPointF& pos) const;
    QPointF fromScene(const QPointF& scenePos) const;

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    QRectF pictureRect() const;  // where the picture lies inside the card
    void centreViewAt(const QPointF& pos);

    GraphView* view_;
    QPixmap picture_;
    QRectF scene_;  // the scene rect the picture shows
    QRectF peak_;
};

}  // namespace widgets
