// The graph view's frame of an expanded group: a pale panel behind the
// group's contents with its name in a header band and a "−" marker that
// collapses it. (A collapsed group is a NodeItem drawn as a stack.)
#pragma once

#include <QGraphicsItem>
#include <QString>

#include "widgets/graph_items.h"

namespace widgets::graphitems {

class GroupFrameItem : public QGraphicsItem {
public:
    GroupFrameItem(int group, const QRectF& rect, const QString& title, const QString& detail, int depth);

    int group() const { return group_; }
    const QRectF& rect() const { return rect_; }
    QRectF headerRect() const;
    QRectF markerRect() const;  // the "−": a click collapses the group

    int type() const override { return GroupFrameType; }
    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    int group_;
    QRectF rect_;
    QString title_;
    QString detail_;
    int depth_;
};

// The "+" / "−" square at a box's top right corner, in scene units.
QRectF expandMarkerRect(const QRectF& box);
void paintExpandMarker(QPainter* painter, const QRectF& marker, bool expanded);

}  // namespace widgets::graphitems
