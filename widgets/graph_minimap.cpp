#include "widgets/graph_minimap.h"

#include <QGraphicsScene>
#include <QMouseEvent>
#include <QPainter>
#include <algorithm>

#include "widgets/graph_legend.h"
#include "widgets/graph_style.h"
#include "widgets/graph_view.h"

namespace widgets {
namespace {

constexpr int kMaxWidth = 170;
constexpr int kMaxHeight = 210;
constexpr int kMinSide = 48;
constexpr int kPadding = 5;
constexpr int kMargin = 12;
constexpr double kMarkerRadius = 6.0;
const QColor kPeak{0xD6, 0x1F, 0x2C};

}  // namespace

GraphMinimap::GraphMinimap(GraphView* view) : QWidget(view), view_(view) {
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Overview: click or drag to move the view"));
}

void GraphMinimap::refresh() {
    scene_ = view_->scene() ? view_->sceneRect() : QRectF();
    if (scene_.isEmpty() || !view_->hasGraph()) {
        picture_ = QPixmap();
        hide();
        return;
    }
    // The scene's shape within a small box; very thin graphs keep a
    // clickable width.
    const double scale = std::min(kMaxWidth / scene_.width(), kMaxHeight / scene_.height());
    const int w = std::max(kMinSide, static_cast<int>(scene_.width() * scale));
    const int h = std::max(kMinSide, static_cast<int>(scene_.height() * scale));
    const qreal dpr = devicePixelRatioF();
    picture_ = QPixmap(QSize(w, h) * dpr);
    picture_.setDevicePixelRatio(dpr);
    picture_.fill(Qt::transparent);
    {
        QPainter painter(&picture_);
        painter.setRenderHint(QPainter::Antialiasing);
        view_->scene()->render(&painter, QRectF(0, 0, w, h), scene_, Qt::KeepAspectRatio);
    }
    resize(w + 2 * kPadding, h + 2 * kPadding);
    place();
    show();
    raise();
    update();
}

void GraphMinimap::setPeakMarker(const QRectF& sceneRect, const QString& tooltip) {
    peak_ = sceneRect;
    setToolTip(tooltip.isEmpty() ? tr("Overview: click or drag to move the view")
                                 : tr("Overview: click or drag to move the view\nRed: %1").arg(tooltip));
    update();
}

void GraphMinimap::place() {
    const QRect area = view_->viewport()->geometry();
    // Beside the legend when both fit across the bottom; else the top
    // right corner (the breadcrumb has the top left).
    const int legend = view_->legend()->isVisible() ? view_->legend()->width() : 0;
    if (width() + legend + 3 * kMargin <= area.width())
        move(area.left() + kMargin, area.bottom() - height() - kMargin + 1);
    else
        move(area.right() - width() - kMargin + 1, area.top() + kMargin);
}

// The picture keeps the scene's aspect inside its box (render() centres it).
QRectF GraphMinimap::pictureRect() const {
    const QRectF box(kPadding, kPadding, width() - 2 * kPadding, height() - 2 * kPadding);
    if (scene_.isEmpty()) return box;
    const double scale = std::min(box.width() / scene_.width(), box.height() / scene_.height());
    const QSizeF size(scene_.width() * scale, scene_.height() * scale);
    return QRectF(box.center() - QPointF(size.width() / 2, size.height() / 2), size);
}

QPointF GraphMinimap::toScene(const QPointF& pos) const {
    const QRectF picture = pictureRect();
    if (picture.isEmpty()) return scene_.center();
    return QPointF(scene_.left() + (pos.x() - picture.left()) / picture.width() * scene_.width(),
                   scene_.top() + (pos.y() - picture.top()) / picture.height() * scene_.height());
}

QPointF GraphMinimap::fromScene(const QPointF& scenePos) const {
    const QRectF picture = pictureRect();
    if (scene_.isEmpty()) return picture.center();
    return QPointF(picture.left() + (scenePos.x() - scene_.left()) / scene_.width() * picture.width(),
                   picture.top() + (scenePos.y() - scene_.top()) / scene_.height() * picture.height());
}

void GraphMinimap::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(QColor(0xC8, 0xCE, 0xDA), 1));
    painter.setBrush(QColor(255, 255, 255, 235));
    painter.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);
    painter.drawPixmap(QPointF(kPadding, kPadding), picture_);

    // The part of the graph on screen.
    const QRectF visible = view_->mapToScene(view_->viewport()->rect()).boundingRect();
    QRectF frame(fromScene(visible.topLeft()), fromScene(visible.bottomRight()));
    frame = frame.intersected(QRectF(rect()).adjusted(1, 1, -1, -1));
    painter.setPen(QPen(graphstyle::kSelection, 1.5));
    painter.setBrush(QColor(0x2F, 0x6F, 0xED, 28));
    painter.drawRect(frame);

    if (peak_.isNull()) return;
    // A ring with a dot: visible over any colour, however small the box.
    const QPointF centre = fromScene(peak_.center());
    painter.setPen(QPen(kPeak, 2.0));
    painter.setBrush(Qt::NoBrush);
    painter.drawEllipse(centre, kMarkerRadius, kMarkerRadius);
    painter.setPen(Qt::NoPen);
    painter.setBrush(kPeak);
    painter.drawEllipse(centre, 2.5, 2.5);
}

void GraphMinimap::centreViewAt(const QPointF& pos) { view_->centerOn(toScene(pos)); }

void GraphMinimap::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) centreViewAt(event->position());
    event->accept();
}

void GraphMinimap::mouseMoveEvent(QMouseEvent* event) {
    if (event->buttons() & Qt::LeftButton) centreViewAt(event->position());
    event->accept();
}

}  // namespace widgets
