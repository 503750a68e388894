#include "widgets/graph_group_items.h"

#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include "core/grouped_layout.h"
#include "widgets/graph_style.h"

namespace widgets::graphitems {
namespace {

namespace style = widgets::graphstyle;

constexpr double kMarkerSize = 12.0;
constexpr double kMarkerInset = 6.0;
constexpr double kFrameRadius = 8.0;
constexpr double kLodFrameText = 0.3;

}  // namespace

QRectF expandMarkerRect(const QRectF& box) {
    return {box.right() - kMarkerInset - kMarkerSize, box.top() + kMarkerInset, kMarkerSize, kMarkerSize};
}

void paintExpandMarker(QPainter* painter, const QRectF& marker, bool expanded) {
    painter->setPen(QPen(style::kGroupBorder, 1.0));
    painter->setBrush(Qt::white);
    painter->drawRoundedRect(marker, 2, 2);
    const QPointF c = marker.center();
    const double arm = marker.width() / 2 - 3;
    painter->drawLine(QPointF(c.x() - arm, c.y()), QPointF(c.x() + arm, c.y()));
    if (!expanded) painter->drawLine(QPointF(c.x(), c.y() - arm), QPointF(c.x(), c.y() + arm));
}

GroupFrameItem::GroupFrameItem(int group, const QRectF& rect, const QString& title, const QString& detail, int depth)
    : group_(group), rect_(rect), title_(title), detail_(detail), depth_(depth) {
    // Behind edges and nodes; inner frames above outer ones.
    setZValue(-10 + depth);
    setAcceptedMouseButtons(Qt::NoButton);
}

QRectF GroupFrameItem::headerRect() const {
    return {rect_.left(), rect_.top(), rect_.width(), appcore::kGroupFrameHeader - 4};
}

QRectF GroupFrameItem::markerRect() const { return expandMarkerRect(headerRect()); }

QRectF GroupFrameItem::boundingRect() const { return rect_.adjusted(-1, -1, 1, 1); }

void GroupFrameItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    const double lod = QStyleOptionGraphicsItem::levelOfDetailFromTransform(painter->worldTransform());
    // Nested frames darken a little per level, so depth stays readable.
    painter->setPen(QPen(style::kGroupBorder, std::max(1.0, 0.8 / lod), Qt::DashLine));
    painter->setBrush(style::kGroupFill.darker(100 + 4 * depth_));
    painter->drawRoundedRect(rect_, kFrameRadius, kFrameRadius);
    if (lod < kLodFrameText) return;
    painter->setPen(style::kText);
    painter->setFont(style::titleFont());
    const QRectF text = headerRect().adjusted(10, 2, -(kMarkerSize + 2 * kMarkerInset), 0);
    const QString line = detail_.isEmpty() ? title_ : title_ + QStringLiteral("  ·  ") + detail_;
    painter->drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                      painter->fontMetrics().elidedText(line, Qt::ElideMiddle, static_cast<int>(text.width())));
    paintExpandMarker(painter, markerRect(), true);
}

}  // namespace widgets::graphitems
