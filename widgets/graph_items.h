// The graph view's scene items: a node box (or an input/output pill) and
// an edge. Both paint themselves from cached geometry and drop detail as
// the view zooms out (no text below a readable size), so a 1,000-node graph
// pans and zooms smoothly.
#pragma once

#include <QColor>
#include <QGraphicsItem>
#include <QPainterPath>
#include <QPolygonF>
#include <QString>
#include <QVector>

namespace widgets::graphitems {

enum ItemType { NodeType = QGraphicsItem::UserType + 1, EdgeType, GroupFrameType };

class NodeItem : public QGraphicsItem {
public:
    // For a marker (graph input or output), `title` is the tensor name and
    // `detail` its kind and shape; it is drawn as a pill.
    NodeItem(int layoutIndex, const QRectF& rect, const QString& title, const QString& subtitle, const QString& detail,
             bool marker);

    int layoutIndex() const { return layoutIndex_; }
    bool isMarker() const { return marker_; }
    const QRectF& rect() const { return rect_; }

    void setColors(const QColor& header, const QColor& body, const QColor& border);
    void setSelectedMark(bool selected);
    void setMatchMark(bool match);
    // The node running at the step shown (GraphView::showStep): a thick
    // outline and halo in the step colour.
    void setRunningMark(bool running);
    bool isRunningMark() const { return running_; }
    const QColor& borderColor() const { return border_; }
    // A node that cannot run or whose output has no shape (or a collapsed
    // group holding one): a red dashed outline and a "!" badge.
    void setProblem(bool problem);
    bool hasProblem() const { return problem_; }
    // A collapsed group: drawn as a stack of boxes with a "+" marker.
    void setCollapsedGroup(bool group);
    bool isCollapsedGroup() const { return group_; }

    int type() const override { return NodeType; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    void paintProblem(QPainter* painter, bool withBadge) const;

    int layoutIndex_;
    QRectF rect_;
    bool marker_;
    QString title_;
    QString subtitle_;  // elided to the box once, at construction
    QString detail_;
    QPainterPath outline_;
    QPainterPath headerPath_;  // the title band: the top of the outline
    QRectF titleRect_;
    QColor header_;
    QColor body_;
    QColor border_;
    bool selected_ = false;
    bool match_ = false;
    bool running_ = false;
    bool problem_ = false;
    bool group_ = false;
};

class EdgeItem : public QGraphicsItem {
public:
    // `points` are cubic Bezier control points (1 + 3k), tail to head.
    EdgeItem(int edgeIndex, const QVector<QPointF>& points, const QString& label, const QPointF& labelAnchor);

    int edgeIndex() const { return edgeIndex_; }

    // Width in scene units; the view never draws it thinner than a hairline.
    void setStyle(const QColor& color, double width);
    void setHighlighted(bool highlighted);
    // A tensor alive at the step shown (GraphView::showStep).
    void setLiveMark(bool live);
    bool isLiveMark() const { return live_; }

    int type() const override { return EdgeType; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    int edgeIndex_;
    QPainterPath path_;
    QPolygonF arrow_;
    QString label_;
    QRectF labelRect_;
    QRectF bounds_;
    mutable QPainterPath hitShape_;  // built on the first hit test only
    QColor color_;
    double width_ = 1.2;
    bool highlighted_ = false;
    bool live_ = false;
};

}  // namespace widgets::graphitems
