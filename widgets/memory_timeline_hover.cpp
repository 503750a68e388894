// The timeline's hover: a cursor line, the node under it, and a tooltip
// with the bytes held and the tensors allocated or freed near the cursor.
#include <qcustomplot.h>

#include <QEvent>
#include <QMouseEvent>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "core/body_memory.h"
#include "widgets/chart_style.h"
#include "widgets/memory_timeline.h"

namespace widgets {

namespace {

using interstage::MemoryCategory;
using interstage::MemoryEvent;

size_t index(MemoryCategory c) { return static_cast<size_t>(c); }
double nsToMs(int64_t ns) { return static_cast<double>(ns) / 1e6; }

// The value a step-left graph shows at `key` (the last point at or before it).
double valueAt(const QCPGraph* graph, double key) {
    const auto data = graph->data();
    if (data->isEmpty()) return 0;
    auto it = data->findEnd(key, false);
    if (it == data->constBegin()) return it->value;
    return (it - 1)->value;
}

}  // namespace

void MemoryTimeline::hideCursor() {
    cursorLine_->setVisible(false);
    nodeSpan_->setVisible(false);
}

bool MemoryTimeline::eventFilter(QObject* watched, QEvent* event) {
    if (watched == plot_ && event->type() == QEvent::Leave && cursorLine_->visible()) {
        hideCursor();
        plot_->layer("cursor")->replot();
    }
    return QWidget::eventFilter(watched, event);
}

void MemoryTimeline::onMouseMove(QMouseEvent* event) {
    const QPointF pos = event->position();
    if (!plot_->axisRect()->rect().contains(pos.toPoint()) || shown_.run == 0) {
        if (cursorLine_->visible()) {
            hideCursor();
            plot_->layer("cursor")->replot();
        }
        QToolTip::hideText();
        return;
    }
    const double ms = plot_->xAxis->pixelToCoord(pos.x());
    const double windowMs = std::fabs(plot_->xAxis->pixelToCoord(pos.x() + 5) - ms);
    cursorLine_->point1->setCoords(ms, 0);
    cursorLine_->point2->setCoords(ms, 1);
    cursorLine_->setVisible(true);
    nodeSpan_->setVisible(false);
    const auto& nodes = shown_.nodes;
    auto after = std::upper_bound(nodes.begin(), nodes.end(), ms,
                                  [](double t, const interstage::NodeTiming& n) { return t < n.startMs; });
    if (after != nodes.begin() && ms <= (after - 1)->startMs + (after - 1)->ms + windowMs) {
        nodeSpan_->topLeft->setCoords((after - 1)->startMs, 0);
        nodeSpan_->bottomRight->setCoords((after - 1)->startMs + (after - 1)->ms, 1);
        nodeSpan_->setVisible(true);
    }
    plot_->layer("cursor")->replot();
    QToolTip::showText(event->globalPosition().toPoint(), tooltipAt(ms, windowMs), plot_);
}

QString MemoryTimeline::tensorName(int id) const {
    if (id >= 0 && id < tensorNames_.size()) return tensorNames_[id];
    return id >= 0 ? tr("tensor #%1").arg(id) : QString();
}

QString MemoryTimeline::eventName(const MemoryEvent& event) const {
    if (event.bodyValue >= 0) return appcore::bodyValueLabel(bodyValues_, event.bodyValue, event.iteration);
    return tensorName(event.tensor);
}

QString MemoryTimeline::tooltipAt(double ms, double windowMs) const {
    QString html = QStringLiteral("<b>%1</b>").arg(formatMs(std::max(0.0, ms)));
    const auto& nodes = shown_.nodes;
    auto after = std::upper_bound(nodes.begin(), nodes.end(), ms,
                                  [](double t, const interstage::NodeTiming& n) { return t < n.startMs; });
    if (after != nodes.begin() && ms <= (after - 1)->startMs + (after - 1)->ms + windowMs) {
        const auto& node = *(after - 1);
        html += tr("<br>node <b>%1</b> (%2), %3")
                    .arg(QString::fromStdString(node.name).toHtmlEscaped(),
                         QString::fromStdString(node.op).toHtmlEscaped(), formatMs(node.ms));
    }
    // Bytes per category at the cursor, read back from the stacked graphs.
    const double total = valueAt(stack_[index(kStackOrder.back())], ms);
    QStringList parts;
    double below = 0;
    for (MemoryCategory c : kStackOrder) {
        const double top = valueAt(stack_[index(c)], ms);
        if (top - below > 1e-9)
            parts.prepend(
                QStringLiteral("%1 %2").arg(categoryLabel(c).toLower(), formatBytes((top - below) * 1048576.0)));
        below = top;
    }
    html += tr("<br>tracked %1").arg(formatBytes(total * 1048576.0));
    if (!parts.isEmpty()) html += QStringLiteral(" <span style='color:#5f6368'>(%1)</span>").arg(parts.join(", "));
    if (!rss_->data()->isEmpty()) html += tr("<br>resident %1").arg(formatBytes(valueAt(rss_, ms) * 1048576.0));

    // Allocations and frees within a few pixels of the cursor.
    const auto& events = shown_.events;
    const auto from = std::lower_bound(events.begin(), events.end(), ms - windowMs,
                                       [](const MemoryEvent& e, double t) { return nsToMs(e.timeNs) < t; });
    QStringList lines;
    int more = 0;
    for (auto it = from; it != events.end() && nsToMs(it->timeNs) <= ms + windowMs; ++it) {
        if (lines.size() >= 8) {
            ++more;
            continue;
        }
        QString name = eventName(*it);
        if (name.isEmpty()) name = categoryLabel(it->category).toLower();
        lines << QStringLiteral("%1 %2 <span style='color:#5f6368'>%3 · %4</span>")
                     .arg(it->bytes >= 0 ? QStringLiteral("+") : QStringLiteral("−"), name.toHtmlEscaped(),
                          formatBytes(std::fabs(static_cast<double>(it->bytes))),
                          categoryLabel(it->category).toLower());
    }
    if (more > 0) lines << tr("… and %1 more").arg(more);
    if (!lines.isEmpty()) html += QStringLiteral("<br>") + lines.join(QStringLiteral("<br>"));
    return html;
}

}  // namespace widgets
