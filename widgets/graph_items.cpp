#include "widgets/graph_items.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>
#include <algorithm>
#include <cmath>

#include "widgets/graph_group_items.h"
#include "widgets/graph_style.h"

namespace widgets::graphitems {
namespace {

namespace style = widgets::graphstyle;

// Box geometry, matching the sizes app/core/graph_layout.cpp reserves:
// a title band (padding + title line) over one line per subtitle/detail.
constexpr double kTitleBand = 23.0;
constexpr double kLine = 13.0;
constexpr double kRadius = 5.0;
constexpr double kGlow = 5.0;   // selection halo outside the box
constexpr double kBadge = 7.0;  // radius of the problem badge on the top-right corner
constexpr double kTextInset = 6.0;

// Zoom levels (device pixels per scene unit) below which detail is dropped:
// text smaller than ~4 px is noise and costs the most to draw.
constexpr double kLodShapesOnly = 0.2;
constexpr double kLodTitleOnly = 0.45;
constexpr double kLodAllText = 0.6;
constexpr double kLodArrows = 0.3;
constexpr double kLodEdgeLabels = 0.85;

constexpr double kArrowLength = 7.0;
constexpr double kArrowHalfWidth = 3.2;

QColor withAlpha(QColor color, int alpha) {
    color.setAlpha(alpha);
    return color;
}

}  // namespace

NodeItem::NodeItem(int layoutIndex, const QRectF& rect, const QString& title, const QString& subtitle,
                   const QString& detail, bool marker)
    : layoutIndex_(layoutIndex), rect_(rect), marker_(marker), title_(title) {
    const double textWidth = std::max(10.0, rect.width() - 2 * kTextInset);
    title_ = QFontMetricsF(style::titleFont()).elidedText(title, Qt::ElideMiddle, textWidth);
    const QFontMetricsF small(style::smallFont());
    subtitle_ = small.elidedText(subtitle, Qt::ElideMiddle, textWidth);
    detail_ = small.elidedText(detail, Qt::ElideRight, textWidth);

    const double radius = marker ? rect.height() / 2 : kRadius;
    outline_.addRoundedRect(rect, radius, radius);
    const bool hasBody = !marker && (!subtitle_.isEmpty() || !detail_.isEmpty());
    if (hasBody) {
        QPainterPath band;
        band.addRect(QRectF(rect.left(), rect.top(), rect.width(), kTitleBand));
        headerPath_ = outline_.intersected(band);
        titleRect_ = QRectF(rect.left(), rect.top() + 3, rect.width(), kTitleBand - 3);
    } else {
        headerPath_ = outline_;
        const double lines = marker && !detail_.isEmpty() ? 1.0 : 0.0;
        const double contentHeight = 17.0 + lines * kLine;
        titleRect_ = QRectF(rect.left(), rect.center().y() - contentHeight / 2, rect.width(), 17.0);
    }
    setZValue(2);
    setAcceptedMouseButtons(Qt::NoButton);  // the view handles clicks and drags
}

void NodeItem::setColors(const QColor& header, const QColor& body, const QColor& border) {
    header_ = header;
    body_ = body;
    border_ = border;
    update();
}

void NodeItem::setSelectedMark(bool selected) {
    if (selected_ == selected) return;
    selected_ = selected;
    update();
}

void NodeItem::setRunningMark(bool running) {
    if (running_ == running) return;
    running_ = running;
    setZValue(running ? 3 : 2);  // above its neighbours' halos
    update();
}

void NodeItem::setCollapsedGroup(bool group) {
    if (group_ == group) return;
    group_ = group;
    update();
}

void NodeItem::setMatchMark(bool match) {
    if (match_ == match) return;
    match_ = match;
    update();
}

QRectF NodeItem::boundingRect() const {
    const double margin = problem_ ? std::max(kGlow, kBadge) : kGlow;
    return rect_.adjusted(-margin, -margin, margin, margin);
}

QPainterPath NodeItem::shape() const {
    QPainterPath path;
    path.addRect(rect_);
    return path;
}

// Dashed so that it reads as a warning, not as a colour of the ramp; the
// badge sits on the top-right corner, outside the title.
void NodeItem::paintProblem(QPainter* painter, bool withBadge) const {
    QPen dashed(style::kProblem, 2.0, Qt::DashLine);
    painter->setPen(dashed);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(outline_);
    if (!withBadge) return;
    const QRectF badge(rect_.right() - kBadge, rect_.top() - kBadge, 2 * kBadge, 2 * kBadge);
    painter->setPen(Qt::NoPen);
    painter->setBrush(style::kProblem);
    painter->drawEllipse(badge);
    painter->setPen(Qt::white);
    painter->setFont(style::titleFont());
    painter->drawText(badge, Qt::AlignCenter, QStringLiteral("!"));
}

void NodeItem::setProblem(bool problem) {
    if (problem_ == problem) return;
    prepareGeometryChange();  // the badge reaches beyond the halo
    problem_ = problem;
    update();
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
    const double lod = QStyleOptionGraphicsItem::levelOfDetailFromTransform(painter->worldTransform());
    // Search matches get an amber halo, not an outline: in the size and
    // lifetime modes an amber outline would read as a colour of the ramp.
    const QColor markColor = selected_ ? style::kSelection : style::kMatch;

    if (lod < kLodShapesOnly) {
        // A far-away overview: flat blocks in the strong colour (the pale
        // fills vanish at this size), with marks still visible.
        painter->setRenderHint(QPainter::Antialiasing, false);
        painter->fillRect(rect_, border_);
        if (running_) painter->fillRect(rect_.adjusted(-3 / lod, -3 / lod, 3 / lod, 3 / lod), style::kStepRunning);
        if (selected_ || match_ || problem_) {
            painter->setPen(QPen(problem_ && !selected_ ? style::kProblem : markColor, 2.5 / lod));
            painter->setBrush(Qt::NoBrush);
            painter->drawRect(rect_.adjusted(-2 / lod, -2 / lod, 2 / lod, 2 / lod));
        }
        painter->setRenderHint(QPainter::Antialiasing, true);
        return;
    }

    if (running_) {
        const double r = (marker_ ? rect_.height() / 2 : kRadius) + kGlow;
        painter->setPen(Qt::NoPen);
        painter->setBrush(withAlpha(style::kStepRunning, 90));
        painter->drawRoundedRect(rect_.adjusted(-kGlow, -kGlow, kGlow, kGlow), r, r);
    }
    if (selected_ || match_) {
        const double r = (marker_ ? rect_.height() / 2 : kRadius) + kGlow - 1;
        painter->setPen(Qt::NoPen);
        painter->setBrush(withAlpha(markColor, selected_ ? 45 : 110));
        painter->drawRoundedRect(rect_.adjusted(-kGlow + 1, -kGlow + 1, kGlow - 1, kGlow - 1), r, r);
    }
    // Without text, the whole box takes the family colour: a white body
    // with a thin band reads as washed out when small.
    const bool textShown = lod >= kLodTitleOnly;
    if (group_) {
        // The cards under the top one: this box stands for many.
        painter->setPen(QPen(border_, std::max(1.0, 0.8 / lod)));
        painter->setBrush(body_);
        painter->drawPath(outline_.translated(4, 4));
    }
    painter->setPen(Qt::NoPen);
    painter->setBrush(textShown ? body_ : header_);
    painter->drawPath(outline_);
    if (textShown && header_ != body_) {
        painter->setBrush(header_);
        painter->drawPath(headerPath_);
    }
    const double outlineWidth = selected_ || running_ ? 2.5 : 1.0;
    const QColor outline = selected_ ? style::kSelection : running_ ? style::kStepRunning : border_;
    painter->setPen(QPen(outline, std::max(outlineWidth, 0.8 / lod)));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(outline_);
    if (problem_) paintProblem(painter, textShown);

    if (!textShown) return;
    if (group_) paintExpandMarker(painter, expandMarkerRect(rect_), false);
    painter->setPen(style::kText);
    painter->setFont(style::titleFont());
    painter->drawText(titleRect_, Qt::AlignHCenter | Qt::AlignVCenter, title_);
    if (lod < kLodAllText) return;

    painter->setFont(style::smallFont());
    painter->setPen(style::kMutedText);
    QRectF line(rect_.left(), titleRect_.bottom(), rect_.width(), kLine);
    if (marker_) {
        if (!detail_.isEmpty()) painter->drawText(line, Qt::AlignHCenter | Qt::AlignVCenter, detail_);
        return;
    }
    line.moveTop(rect_.top() + kTitleBand);
    if (!subtitle_.isEmpty()) {
        painter->drawText(line, Qt::AlignHCenter | Qt::AlignVCenter, subtitle_);
        line.translate(0, kLine);
    }
    if (!detail_.isEmpty()) {
        painter->setPen(style::kText);
        painter->drawText(line, Qt::AlignHCenter | Qt::AlignVCenter, detail_);
    }
}

EdgeItem::EdgeItem(int edgeIndex, const QVector<QPointF>& points, const QString& label, const QPointF& labelAnchor)
    : edgeIndex_(edgeIndex), label_(label) {
    if (!points.isEmpty()) {
        path_.moveTo(points.front());
        for (int i = 1; i + 2 < points.size(); i += 3) path_.cubicTo(points[i], points[i + 1], points[i + 2]);
        // The arrow points along the last tangent: the last control point
        // distinct from the end (dot often repeats the end point).
        const QPointF tip = points.back();
        QPointF from = tip;
        for (int i = static_cast<int>(points.size()) - 2; i >= 0; --i) {
            if (QLineF(points[i], tip).length() >= 0.5) {
                from = points[i];
                break;
            }
        }
        QLineF axis(from, tip);
        if (axis.length() < 0.5) axis = QLineF(tip - QPointF(0, 1), tip);
        const QPointF dir = (axis.p2() - axis.p1()) / axis.length();
        const QPointF normal(-dir.y(), dir.x());
        const QPointF base = tip - dir * kArrowLength;
        arrow_ << tip << base + normal * kArrowHalfWidth << base - normal * kArrowHalfWidth;
    }
    if (!label_.isEmpty()) {
        const QFontMetricsF metrics(style::labelFont());
        const QSizeF size(metrics.horizontalAdvance(label_) + 6, metrics.height() + 2);
        labelRect_ = QRectF(labelAnchor + QPointF(5, -size.height() / 2), size);
    }
    bounds_ = path_.controlPointRect().united(arrow_.boundingRect()).adjusted(-2, -2, 2, 2);
    if (!labelRect_.isNull()) bounds_ = bounds_.united(labelRect_);
    setZValue(0);
    setAcceptedMouseButtons(Qt::NoButton);
}

void EdgeItem::setStyle(const QColor& color, double width) {
    color_ = color;
    width_ = width;
    update();
}

void EdgeItem::setHighlighted(bool highlighted) {
    if (highlighted_ == highlighted) return;
    highlighted_ = highlighted;
    setZValue(highlighted ? 1 : 0);
    update();
}

void EdgeItem::setLiveMark(bool live) {
    if (live_ == live) return;
    live_ = live;
    update();
}

QRectF EdgeItem::boundingRect() const { return bounds_; }

QPainterPath EdgeItem::shape() const {
    if (hitShape_.isEmpty()) {
        QPainterPathStroker stroker;
        stroker.setWidth(7);
        hitShape_ = stroker.createStroke(path_);
        hitShape_.addPolygon(arrow_);
    }
    return hitShape_;
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    const double lod = QStyleOptionGraphicsItem::levelOfDetailFromTransform(painter->worldTransform());
    const QColor color = highlighted_ ? style::kSelection : live_ ? style::kStepLive : color_;
    const double width = highlighted_ || live_ ? std::max(width_, 2.2) : width_;
    // Never thinner than ~0.7 device pixels, or the overview loses its edges.
    painter->setPen(QPen(color, std::max(width, 0.7 / lod), Qt::SolidLine, Qt::FlatCap, Qt::RoundJoin));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path_);
    if (lod < kLodArrows) return;

    painter->setPen(Qt::NoPen);
    painter->setBrush(color);
    painter->drawPolygon(arrow_);

    if (lod < kLodEdgeLabels || label_.isEmpty()) return;
    painter->setBrush(QColor(255, 255, 255, 225));
    painter->drawRoundedRect(labelRect_, 3, 3);
    painter->setPen(highlighted_ ? style::kSelection.darker(130) : style::kMutedText);
    painter->setFont(style::labelFont());
    painter->drawText(labelRect_, Qt::AlignCenter, label_);
}

}  // namespace widgets::graphitems
