#include "widgets/memory_timeline.h"

#include <qcustomplot.h>

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QPixmap>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "widgets/chart_style.h"

namespace widgets {

namespace {

using interstage::MemoryCategory;
using interstage::MemoryEvent;

constexpr int kReplotIntervalMs = 33;  // <= 30 Hz however fast batches arrive
constexpr double kTickHeight = 0.035;  // node ticks: a rug along the time axis (axis-rect fraction)

size_t index(MemoryCategory c) { return static_cast<size_t>(c); }
double nsToMs(int64_t ns) { return static_cast<double>(ns) / 1e6; }
bool isActivation(MemoryCategory c) { return c == MemoryCategory::Interstage || c == MemoryCategory::Output; }

QIcon swatch(const QColor& color) {
    QPixmap pixmap(14, 14);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawRoundedRect(QRectF(1, 5, 12, 4), 2, 2);
    return QIcon(pixmap);
}

}  // namespace

// Bottom to top. Activations (what memory modes change) sit right on the
// steady floor (weights, inputs) so their peaks meet the lower-bound line;
// the kernels' transient workspace goes on top of them.
const std::array<MemoryCategory, interstage::kMemoryCategoryCount> MemoryTimeline::kStackOrder = {
    MemoryCategory::Weights, MemoryCategory::Input,      MemoryCategory::Staging,
    MemoryCategory::Output,  MemoryCategory::Interstage, MemoryCategory::Workspace,
};

struct MemoryTimeline::Overlay {
    int setId = 0;
    QString label;
    QCPGraph* graph = nullptr;
    QListWidgetItem* item = nullptr;
    double endMs = 0;
    double maxBytes = 0;
};

MemoryTimeline::MemoryTimeline(QWidget* parent) : QWidget(parent) {
    title_ = new QLabel(tr("No run yet"));
    QFont bold = title_->font();
    bold.setBold(true);
    title_->setFont(bold);
    runBox_ = new QSpinBox;
    runBox_->setPrefix(tr("run "));
    runBox_->setRange(0, 0);
    runBox_->setEnabled(false);
    runBox_->setToolTip(tr("Which run of the set the chart shows"));
    summary_ = new QLabel;
    summary_->setStyleSheet("color: #5f6368;");
    summary_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // may shrink; the window may not grow
    summary_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    auto* header = new QHBoxLayout;
    header->setContentsMargins(4, 0, 4, 0);
    header->addWidget(title_);
    header->addSpacing(12);
    header->addWidget(runBox_);
    header->addWidget(summary_, 1);

    plot_ = new QCustomPlot;
    plot_->setMinimumHeight(160);
    plot_->installEventFilter(this);

    overlayPanel_ = new QWidget;
    auto* overlayLayout = new QVBoxLayout(overlayPanel_);
    overlayLayout->setContentsMargins(0, 0, 0, 0);
    auto* overlayTitle = new QLabel(tr("Compare with earlier sets"));
    overlayTitle->setStyleSheet("color: #5f6368;");
    overlayList_ = new QListWidget;
    overlayList_->setToolTip(tr("Each line is the total tracked memory of the set's last run"));
    overlayLayout->addWidget(overlayTitle);
    overlayLayout->addWidget(overlayList_);
    overlayPanel_->setFixedWidth(200);
    overlayList_->setWordWrap(true);
    overlayPanel_->hide();

    auto* body = new QHBoxLayout;
    body->addWidget(plot_, 1);
    body->addWidget(overlayPanel_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(header);
    layout->addLayout(body, 1);

    replotTimer_ = new QTimer(this);
    replotTimer_->setSingleShot(true);
    replotTimer_->setInterval(kReplotIntervalMs);
    connect(replotTimer_, &QTimer::timeout, this, &MemoryTimeline::replotNow);
    connect(runBox_, qOverload<int>(&QSpinBox::valueChanged), this, &MemoryTimeline::showRun);
    connect(overlayList_, &QListWidget::itemChanged, this, &MemoryTimeline::onOverlayItemChanged);
    buildPlot();
    updateHeader();
}

MemoryTimeline::~MemoryTimeline() = default;

void MemoryTimeline::buildPlot() {
    applyChartTheme(plot_);
    plot_->xAxis->setLabel(tr("time since run start (ms)"));
    plot_->yAxis->setLabel(tr("memory (MiB)"));
    plot_->yAxis2->setRange(0, 1);  // node ticks are drawn against a hidden 0..1 axis

    // Created top of the stack first so the legend reads like the chart.
    for (auto it = kStackOrder.rbegin(); it != kStackOrder.rend(); ++it) {
        QCPGraph* graph = plot_->addGraph();
        const QColor color = categoryColor(*it);
        graph->setName(categoryLabel(*it));
        graph->setLineStyle(QCPGraph::lsStepLeft);
        graph->setPen(QPen(color.darker(130), 1));
        QColor fill = color;
        fill.setAlpha(210);
        graph->setBrush(fill);
        stack_[index(*it)] = graph;
    }
    for (size_t k = 1; k < kStackOrder.size(); ++k)
        stack_[index(kStackOrder[k])]->setChannelFillGraph(stack_[index(kStackOrder[k - 1])]);

    rss_ = plot_->addGraph();
    rss_->setName(tr("resident memory (RSS)"));
    rss_->setPen(QPen(QColor(0x3c, 0x40, 0x43), 1.3));

    ticks_ = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
    ticks_->setLineStyle(QCPGraph::lsImpulse);
    ticks_->setPen(QPen(QColor(0x5f, 0x63, 0x68, 110), 1));
    ticks_->setName(tr("node starts"));

    const QPen boundPen(QColor(0xd9, 0x30, 0x25), 1.4, Qt::DashLine);
    makeBoundItems(boundPen, tr("lower bound as written"), lowerBoundLegend_, lowerBoundLine_, lowerBoundText_);
    const QPen aliasedPen(QColor(0x9c, 0x27, 0xb0), 1.4, Qt::DotLine);
    makeBoundItems(aliasedPen, tr("lower bound with in-place writes"), aliasedBoundLegend_, aliasedBoundLine_,
                   aliasedBoundText_);

    // The hover cursor lives on its own buffered layer: moving it redraws
    // one layer, not thousands of points.
    plot_->addLayer("cursor", plot_->layer("main"), QCustomPlot::limAbove);
    plot_->layer("cursor")->setMode(QCPLayer::lmBuffered);
    nodeSpan_ = new QCPItemRect(plot_);
    nodeSpan_->setLayer("cursor");
    nodeSpan_->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    nodeSpan_->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    nodeSpan_->setPen(Qt::NoPen);
    nodeSpan_->setBrush(QColor(0x1a, 0x73, 0xe8, 28));
    nodeSpan_->setSelectable(false);
    cursorLine_ = new QCPItemStraightLine(plot_);
    cursorLine_->setLayer("cursor");
    cursorLine_->setPen(QPen(QColor(0x20, 0x21, 0x24, 150), 1));
    cursorLine_->setSelectable(false);
    hideCursor();

    placeLegendAbove(plot_);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);
    connect(plot_->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] {
        if (!settingRange_) userZoomed_ = true;
    });
    connect(plot_, &QCustomPlot::mouseMove, this, &MemoryTimeline::onMouseMove);
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this] {
        userZoomed_ = false;  // double click: back to the whole run
        replotNow();
    });
    updateLowerBound();
    updateLegend();
}

void MemoryTimeline::beginSet(int setId, const QString& label) {
    archiveCurrentSet();
    setId_ = setId;
    setLabel_ = label;
    setFinished_ = false;
    finishedRuns_.clear();
    liveHeld_ = {};
    syncedRun_ = 0;
    liveRss_.clear();
    bodyValues_.clear();
    userZoomed_ = false;
    resetShown();
    updateHeader();
    scheduleReplot();
}

void MemoryTimeline::addProgress(const appcore::RunProgress& progress) {
    if (setId_ < 0) beginSet(progress.setId, tr("set %1").arg(progress.setId));
    if (progress.setId != setId_ || setFinished_) return;
    // Events of set-up (run 0) and of earlier runs not yet synced from
    // their statistics belong to this run's baseline, not to its curve.
    auto isBaseline = [&](const MemoryEvent& e) { return e.run != progress.run; };
    auto alreadyCounted = [&](const MemoryEvent& e) { return e.run != 0 && e.run <= syncedRun_; };
    if (!shown_.live || shown_.run != progress.run) {
        for (const MemoryEvent& e : progress.events)
            if (isBaseline(e) && !alreadyCounted(e)) liveHeld_[index(e.category)] += e.bytes;
        startShown(progress.run, true, liveHeld_);
        for (const MemoryEvent& e : progress.events)
            if (!isBaseline(e)) appendEvent(e);
    } else {
        for (const MemoryEvent& e : progress.events) {
            if (!isBaseline(e)) {
                appendEvent(e);
            } else if (!alreadyCounted(e)) {
                shown_.held[index(e.category)] += e.bytes;
                appendPoint(shown_.endMs);
            }
        }
    }
    liveHeld_ = shown_.held;
    for (const interstage::RssSample& s : progress.rss) {
        if (s.run != progress.run) continue;
        appendRss(s);
        liveRss_[s.run].push_back(s);
    }
    appendNodes(progress.nodes);
    extendTail();
    updateHeader();
    scheduleReplot();
}

void MemoryTimeline::finishRun(const appcore::RunDone& done) {
    if (!done.stats) return;
    if (setId_ < 0) beginSet(done.setId, tr("set %1").arg(done.setId));
    if (done.setId != setId_) return;
    const interstage::RunStats& stats = *done.stats;
    auto same =
        std::find_if(finishedRuns_.begin(), finishedRuns_.end(), [&](const auto& r) { return r->run == stats.run; });
    if (same != finishedRuns_.end())
        *same = done.stats;
    else
        finishedRuns_.push_back(done.stats);
    // The statistics are exact where live batches may have missed a tail.
    for (size_t c = 0; c < liveHeld_.size(); ++c) liveHeld_[c] = static_cast<long long>(stats.bytesAtStart[c]);
    for (const MemoryEvent& e : stats.events) liveHeld_[index(e.category)] += e.bytes;
    syncedRun_ = std::max(syncedRun_, stats.run);
    if (stats.bodyValues.size() > bodyValues_.size()) bodyValues_ = stats.bodyValues;
    if (shown_.run == stats.run || shown_.run == 0) drawStats(stats);
    updateHeader();
    scheduleReplot();
}

void MemoryTimeline::finishSet(const appcore::RunSetResult& result) {
    if (setId_ >= 0 && result.setId != setId_) {
        // A set that is not the one drawn: it can only be compared against.
        if (!result.runs.empty()) addOverlay(result.setId, result.config.label(), *result.runs.back());
        scheduleReplot();
        return;
    }
    if (setId_ < 0) beginSet(result.setId, result.config.label());
    if (setLabel_.isEmpty()) setLabel_ = result.config.label();
    setFinished_ = true;
    if (!result.runs.empty()) finishedRuns_ = result.runs;
    if (result.executedLowerBoundBytes > 0) lowerBound_ = result.executedLowerBoundBytes;
    aliasedBound_ = result.aliasedLowerBoundBytes;
    if (!finishedRuns_.empty()) {
        const QSignalBlocker block(runBox_);
        runBox_->setRange(1, static_cast<int>(finishedRuns_.size()));
        runBox_->setValue(static_cast<int>(finishedRuns_.size()));
        drawStats(*finishedRuns_.back());
    }
    shown_.live = false;
    updateLowerBound();
    updateHeader();
    scheduleReplot();
}

void MemoryTimeline::setLowerBound(std::size_t bytes) {
    lowerBound_ = bytes;
    aliasedBound_ = 0;  // known once a set is planned
    updateLowerBound();
    scheduleReplot();
}

void MemoryTimeline::setTensorNames(const QStringList& names) { tensorNames_ = names; }

void MemoryTimeline::clear() {
    for (auto& overlay : overlays_) {
        plot_->removeGraph(overlay->graph);
        delete overlay->item;
    }
    overlays_.clear();
    overlayPanel_->hide();
    setId_ = -1;
    setLabel_.clear();
    setFinished_ = false;
    finishedRuns_.clear();
    liveHeld_ = {};
    syncedRun_ = 0;
    liveRss_.clear();
    lowerBound_ = 0;
    aliasedBound_ = 0;
    userZoomed_ = false;
    resetShown();
    updateLowerBound();
    updateHeader();
    scheduleReplot();
}

void MemoryTimeline::showRun(int run) {
    if (run < 1 || run > static_cast<int>(finishedRuns_.size())) return;
    userZoomed_ = false;
    drawStats(*finishedRuns_[static_cast<size_t>(run - 1)]);
    updateHeader();
    scheduleReplot();
    emit runShown(run);
}

void MemoryTimeline::resetShown() {
    for (QCPGraph* graph : stack_) graph->data()->clear();
    rss_->data()->clear();
    ticks_->data()->clear();
    shown_ = Shown{};
}

void MemoryTimeline::startShown(int run, bool live,
                                const std::array<long long, interstage::kMemoryCategoryCount>& atStart) {
    resetShown();
    shown_.run = run;
    shown_.live = live;
    shown_.held = atStart;
    shown_.atStart = atStart;
    for (size_t c = 0; c < atStart.size(); ++c) shown_.seen[c] = atStart[c] > 0;
    appendPoint(0);
    updateLowerBound();
}

void MemoryTimeline::appendEvent(const MemoryEvent& event) {
    const size_t c = index(event.category);
    shown_.held[c] += event.bytes;
    if (shown_.held[c] > 0) shown_.seen[c] = true;
    shown_.events.push_back(event);
    const double ms = std::max(0.0, nsToMs(event.timeNs));
    shown_.endMs = std::max(shown_.endMs, ms);
    appendPoint(ms);
}

void MemoryTimeline::appendPoint(double ms) {
    double cumulative = 0;
    for (MemoryCategory c : kStackOrder) {
        cumulative += static_cast<double>(std::max(0LL, shown_.held[index(c)]));
        auto points = stack_[index(c)]->data();
        // The live tail becomes this point: the level it held reaches here anyway.
        if (shown_.tail) {
            auto last = points->end() - 1;
            last->key = ms;
            last->value = toMiB(cumulative);
        } else {
            points->add(QCPGraphData(ms, toMiB(cumulative)));
        }
    }
    shown_.tail = false;
    shown_.maxStackBytes = std::max(shown_.maxStackBytes, cumulative);
}

void MemoryTimeline::extendTail() {
    // A steady run of a mode that allocates nothing per run sends no
    // events; hold the level up to the newest node so the area grows live.
    QCPGraph* top = stack_[index(kStackOrder.back())];
    if (top->data()->isEmpty() || (top->data()->constEnd() - 1)->key >= shown_.endMs) return;
    for (QCPGraph* graph : stack_) {
        auto points = graph->data();
        const double value = (points->constEnd() - 1)->value;
        if (shown_.tail)
            (points->end() - 1)->key = shown_.endMs;
        else
            points->add(QCPGraphData(shown_.endMs, value));
    }
    shown_.tail = true;
}

void MemoryTimeline::appendRss(const interstage::RssSample& sample) {
    const double ms = std::max(0.0, nsToMs(sample.timeNs));
    rss_->addData(ms, toMiB(static_cast<double>(sample.bytes)));
    shown_.maxRssBytes = std::max(shown_.maxRssBytes, static_cast<double>(sample.bytes));
    shown_.endMs = std::max(shown_.endMs, ms);
}

void MemoryTimeline::appendNodes(const std::vector<interstage::NodeTiming>& nodes) {
    for (const interstage::NodeTiming& node : nodes) {
        ticks_->addData(node.startMs, kTickHeight);
        shown_.nodes.push_back(node);
        shown_.endMs = std::max(shown_.endMs, node.startMs + node.ms);
    }
}

void MemoryTimeline::drawStats(const interstage::RunStats& stats) {
    std::array<long long, interstage::kMemoryCategoryCount> atStart{};
    for (size_t c = 0; c < atStart.size() && c < stats.bytesAtStart.size(); ++c)
        atStart[c] = static_cast<long long>(stats.bytesAtStart[c]);
    startShown(stats.run, false, atStart);
    if (stats.bodyValues.size() > bodyValues_.size()) bodyValues_ = stats.bodyValues;
    shown_.events.reserve(stats.events.size());
    for (const MemoryEvent& e : stats.events) appendEvent(e);
    std::vector<interstage::RssSample> rss = stats.rss;
    if (auto live = liveRss_.find(stats.run); live != liveRss_.end())
        rss.insert(rss.end(), live->second.begin(), live->second.end());
    std::sort(rss.begin(), rss.end(), [](const auto& a, const auto& b) { return a.timeNs < b.timeNs; });
    rss.erase(std::unique(rss.begin(), rss.end(), [](const auto& a, const auto& b) { return a.timeNs == b.timeNs; }),
              rss.end());
    for (const interstage::RssSample& s : rss) appendRss(s);
    appendNodes(stats.nodes);
    // Hold the last level to the end of the run so the area spans it.
    shown_.endMs = std::max(shown_.endMs, stats.ms);
    appendPoint(shown_.endMs);
}

void MemoryTimeline::archiveCurrentSet() {
    if (setId_ >= 0 && !finishedRuns_.empty()) addOverlay(setId_, setLabel_, *finishedRuns_.back());
}

void MemoryTimeline::removeOverlay(int setId) {
    for (size_t i = 0; i < overlays_.size(); ++i) {
        if (overlays_[i]->setId != setId) continue;
        plot_->removeGraph(overlays_[i]->graph);
        delete overlays_[i]->item;
        overlays_.erase(overlays_.begin() + static_cast<long>(i));
        return;
    }
}

void MemoryTimeline::showFinishedSet(const appcore::RunSetResult& result) {
    if (result.runs.empty()) return;
    removeOverlay(result.setId);  // drawn whole again, not as a line
    setId_ = -1;                  // the set drawn now (refused) has nothing to keep
    finishedRuns_.clear();
    beginSet(result.setId, result.config.label());
    finishSet(result);
}

void MemoryTimeline::addOverlay(int setId, const QString& label, const interstage::RunStats& stats) {
    // One line per set: a newer result of the same set replaces the older.
    removeOverlay(setId);
    auto overlay = std::make_unique<Overlay>();
    overlay->setId = setId;
    overlay->label = label.isEmpty() ? tr("set %1").arg(setId) : label;
    overlay->graph = plot_->addGraph();
    overlay->graph->setName(overlay->label);
    overlay->graph->setLineStyle(QCPGraph::lsStepLeft);
    overlay->graph->setPen(QPen(setColor(setId), 1.8));
    double total = 0;
    for (std::size_t bytes : stats.bytesAtStart) total += static_cast<double>(bytes);
    QVector<double> keys{0}, values{toMiB(total)};
    overlay->maxBytes = total;
    for (const MemoryEvent& e : stats.events) {
        total += static_cast<double>(e.bytes);
        keys.push_back(std::max(0.0, nsToMs(e.timeNs)));
        values.push_back(toMiB(total));
        overlay->maxBytes = std::max(overlay->maxBytes, total);
    }
    overlay->endMs = std::max(stats.ms, keys.back());
    keys.push_back(overlay->endMs);
    values.push_back(values.back());
    overlay->graph->setData(keys, values, true);

    const QSignalBlocker block(overlayList_);
    overlay->item = new QListWidgetItem(swatch(setColor(setId)),
                                        tr("%1\npeak %2").arg(overlay->label, formatBytes(overlay->maxBytes)));
    overlay->item->setToolTip(tr("%1 — run %2: peak tracked %3, %4")
                                  .arg(overlay->label)
                                  .arg(stats.run)
                                  .arg(formatBytes(static_cast<double>(stats.peakTrackedBytes)), formatMs(stats.ms)));
    overlay->item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
    overlay->item->setCheckState(Qt::Checked);
    overlayList_->addItem(overlay->item);
    overlays_.push_back(std::move(overlay));
    overlayPanel_->show();
}

bool MemoryTimeline::overlayVisible(int index) const {
    if (index < 0 || index >= overlayCount()) return false;
    return overlays_[static_cast<size_t>(index)]->graph->visible();
}

int MemoryTimeline::overlaySetId(int index) const {
    if (index < 0 || index >= overlayCount()) return -1;
    return overlays_[static_cast<size_t>(index)]->setId;
}

void MemoryTimeline::setOverlayVisible(int index, bool visible) {
    if (index < 0 || index >= overlayCount()) return;
    overlays_[static_cast<size_t>(index)]->item->setCheckState(visible ? Qt::Checked : Qt::Unchecked);
}

void MemoryTimeline::onOverlayItemChanged(QListWidgetItem* item) {
    for (auto& overlay : overlays_)
        if (overlay->item == item) overlay->graph->setVisible(item->checkState() == Qt::Checked);
    scheduleReplot();
}

int MemoryTimeline::pointCount(MemoryCategory category) const { return stack_[index(category)]->data()->size(); }

int MemoryTimeline::rssPointCount() const { return rss_->data()->size(); }
int MemoryTimeline::nodeTickCount() const { return ticks_->data()->size(); }

void MemoryTimeline::scheduleReplot() {
    if (!replotTimer_->isActive()) replotTimer_->start();
}

void MemoryTimeline::replotNow() {
    replotTimer_->stop();
    updateLegend();
    updateRanges();
    plot_->replot();
}

void MemoryTimeline::updateRanges() {
    double maxBytes = std::max(shown_.maxStackBytes, shown_.maxRssBytes);
    double endMs = shown_.endMs;
    if (lowerBoundLine_->visible()) maxBytes = std::max(maxBytes, lowerBoundLine_->point1->value() * 1024.0 * 1024.0);
    for (const auto& overlay : overlays_) {
        if (!overlay->graph->visible()) continue;
        maxBytes = std::max(maxBytes, overlay->maxBytes);
        endMs = std::max(endMs, overlay->endMs);
    }
    settingRange_ = true;
    plot_->yAxis->setRange(0, maxBytes > 0 ? toMiB(maxBytes) * 1.12 : 1.0);
    if (!userZoomed_) plot_->xAxis->setRange(0, endMs > 0 ? endMs * 1.01 : 1.0);
    settingRange_ = false;
}

void MemoryTimeline::makeBoundItems(const QPen& pen, const QString& name, QCPGraph*& legend, QCPItemStraightLine*& line,
                                    QCPItemText*& text) {
    legend = plot_->addGraph();  // no data: stands for the line in the legend
    legend->setName(name);
    legend->setPen(pen);
    line = new QCPItemStraightLine(plot_);
    line->setPen(pen);
    line->setSelectable(false);
    text = new QCPItemText(plot_);
    text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    text->position->setTypeY(QCPItemPosition::ptPlotCoords);
    text->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    text->setColor(pen.color());
    text->setBrush(QColor(255, 255, 255, 210));  // readable over the fills and the RSS line
    text->setPadding(QMargins(3, 1, 3, 1));
    text->setSelectable(false);
}

void MemoryTimeline::updateLowerBound() {
    const bool show = lowerBound_ > 0;
    const bool showAliased = show && aliasedBound_ > 0 && aliasedBound_ < lowerBound_;
    lowerBoundLine_->setVisible(show);
    lowerBoundText_->setVisible(show);
    aliasedBoundLine_->setVisible(showAliased);
    aliasedBoundText_->setVisible(showAliased);
    if (!show) return;
    // The bound counts activations only, so it sits on the floor they are
    // stacked on (weights, inputs, staging when the run starts).
    double floor = 0;
    for (MemoryCategory c : kStackOrder) {
        if (isActivation(c)) break;
        floor += static_cast<double>(std::max(0LL, shown_.atStart[index(c)]));
    }
    const double y = toMiB(floor + static_cast<double>(lowerBound_));
    lowerBoundLine_->point1->setCoords(0, y);
    lowerBoundLine_->point2->setCoords(1, y);
    lowerBoundText_->position->setCoords(0.995, y);
    // Both parts named, as the exported figure names them: the line stands
    // at activations + what was held from the start, not at the bound.
    const QString held =
        floor > 0 ? tr(" of activations on %1 held from the start").arg(formatBytes(floor)) : QString();
    lowerBoundText_->setText(
        tr("lower bound as written %1%2").arg(formatBytes(static_cast<double>(lowerBound_)), held));
    if (!showAliased) return;
    const double low = toMiB(floor + static_cast<double>(aliasedBound_));
    aliasedBoundLine_->point1->setCoords(0, low);
    aliasedBoundLine_->point2->setCoords(1, low);
    // Left-aligned, so the two labels do not collide when the bounds are close.
    aliasedBoundText_->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    aliasedBoundText_->position->setCoords(0.005, low);
    aliasedBoundText_->setText(
        tr("lower bound with in-place writes %1%2").arg(formatBytes(static_cast<double>(aliasedBound_)), held));
}

void MemoryTimeline::updateLegend() {
    // Rebuilt on each (throttled) replot: categories appear once they hold
    // bytes. Overlays are named in their own list, which also toggles them.
    plot_->legend->clearItems();
    for (auto it = kStackOrder.rbegin(); it != kStackOrder.rend(); ++it) {
        QCPGraph* graph = stack_[index(*it)];
        const bool seen = shown_.seen[index(*it)];
        // An empty category is a zero-height band: no outline, or it
        // would draw over the band below.
        graph->setPen(seen ? QPen(categoryColor(*it).darker(130), 1) : QPen(Qt::NoPen));
        if (seen) graph->addToLegend();
    }
    if (!rss_->data()->isEmpty()) rss_->addToLegend();
    if (lowerBound_ > 0) lowerBoundLegend_->addToLegend();
    if (aliasedBoundLine_->visible()) aliasedBoundLegend_->addToLegend();
    plot_->legend->setVisible(plot_->legend->itemCount() > 0);
}

void MemoryTimeline::updateHeader() {
    title_->setText(setId_ < 0 ? tr("No run yet") : setLabel_);
    const QSignalBlocker block(runBox_);
    if (shown_.live) {
        runBox_->setEnabled(false);
        runBox_->setRange(shown_.run, shown_.run);
        runBox_->setSuffix(tr(" (running)"));
    } else if (!finishedRuns_.empty() && shown_.run > 0) {
        const int count = static_cast<int>(finishedRuns_.size());
        runBox_->setEnabled(setFinished_ && count > 1);
        runBox_->setRange(1, count);
        const auto it = std::find_if(finishedRuns_.begin(), finishedRuns_.end(),
                                     [&](const auto& r) { return r->run == shown_.run; });
        runBox_->setValue(it == finishedRuns_.end() ? count : static_cast<int>(it - finishedRuns_.begin()) + 1);
        runBox_->setSuffix(setFinished_ ? tr(" of %1").arg(count) : QString());
    } else {
        runBox_->setEnabled(false);
        runBox_->setRange(0, 0);
        runBox_->setSuffix(QString());
    }
    runBox_->setVisible(shown_.run > 0);
    QStringList parts;
    if (shown_.maxStackBytes > 0) parts << tr("peak tracked %1").arg(formatBytes(shown_.maxStackBytes));
    if (shown_.maxRssBytes > 0) parts << tr("peak RSS %1").arg(formatBytes(shown_.maxRssBytes));
    if (lowerBound_ > 0 && aliasedBoundLine_->visible())
        parts << tr("lower bound %1 (%2 in place)")
                     .arg(formatBytes(static_cast<double>(lowerBound_)),
                          formatBytes(static_cast<double>(aliasedBound_)));
    else if (lowerBound_ > 0)
        parts << tr("lower bound %1").arg(formatBytes(static_cast<double>(lowerBound_)));
    if (!shown_.nodes.empty()) parts << tr("%n node(s)", nullptr, static_cast<int>(shown_.nodes.size()));
    summary_->setText(parts.join(QStringLiteral("  ·  ")));
}

}  // namespace widgets
