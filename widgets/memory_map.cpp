#include "widgets/memory_map.h"

#include <qcustomplot.h>

#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>

#include "interstage/live_peak.h"
#include "widgets/chart_style.h"

namespace widgets {

// Draws every tensor of the plan in one pass. One plottable instead of one
// QCPItemRect per tensor: a replot of 700 tensors stays a few milliseconds,
// and hit testing is a loop over plain rectangles.
class PlacementBlocks : public QCPAbstractPlottable {
public:
    struct Block {
        QRectF rect;  // plot coordinates: x = steps, y = MiB
        QColor fill;
    };
    struct Lane {
        double y = 0;       // MiB
        double height = 0;  // MiB
        bool held = false;  // allocated for the whole run
    };

    PlacementBlocks(QCPAxis* keyAxis, QCPAxis* valueAxis) : QCPAbstractPlottable(keyAxis, valueAxis) {}

    std::vector<interstage::TensorPlacement> placements;
    std::vector<appcore::BodyBlock> bodies;
    std::vector<Block> blocks;  // one per placement, then one per body block, same order
    std::vector<Lane> lanes;
    int steps = 0;
    double top = 0;  // MiB
    bool arena = false;
    int hovered = -1;
    int highlighted = -1;
    int cursorStep = -1;  // the step-through's step (-1: none)

    // Blocks drawn across the cursor's step: the tensors alive there.
    bool atCursor(const Block& block) const {
        return cursorStep >= 0 && block.rect.left() < cursorStep + 1 && block.rect.right() > cursorStep;
    }

    double selectTest(const QPointF&, bool, QVariant*) const override { return -1; }
    QCPRange getKeyRange(bool& found, QCP::SignDomain) const override {
        found = steps > 0;
        return QCPRange(0, std::max(1, steps));
    }
    QCPRange getValueRange(bool& found, QCP::SignDomain, const QCPRange&) const override {
        found = top > 0;
        return QCPRange(0, top > 0 ? top : 1);
    }

    QRectF toPixels(const QRectF& r) const {
        const QPointF a(keyAxis()->coordToPixel(r.left()), valueAxis()->coordToPixel(r.top()));
        const QPointF b(keyAxis()->coordToPixel(r.right()), valueAxis()->coordToPixel(r.bottom()));
        QRectF px = QRectF(a, b).normalized();
        // Tiny tensors stay visible and hoverable.
        if (px.width() < 1.5) px.setWidth(1.5);
        if (px.height() < 1.5) px.setHeight(1.5);
        return px;
    }

    // The name drawn for block i: a planned tensor's, or a body block's label.
    QString nameOf(size_t i) const {
        return i < placements.size() ? QString::fromStdString(placements[i].name) : bodies[i - placements.size()].label;
    }

    int indexAt(const QPointF& pixel) const {
        // Topmost first; a 2-pixel margin makes slivers easy to hit.
        for (int i = static_cast<int>(blocks.size()) - 1; i >= 0; --i)
            if (toPixels(blocks[static_cast<size_t>(i)].rect).adjusted(-1, -1, 1, 1).contains(pixel)) return i;
        return -1;
    }

protected:
    void draw(QCPPainter* painter) override {
        const QRectF clip = clipRect();
        painter->setPen(Qt::NoPen);
        for (const Lane& lane : lanes) {
            if (!lane.held) continue;
            const QRectF px = toPixels(QRectF(0, lane.y, std::max(1, steps), lane.height));
            if (!px.intersects(clip)) continue;
            painter->setBrush(QColor(0xe8, 0xec, 0xf2));
            painter->drawRect(px.adjusted(0, 0.5, 0, -0.5));
        }
        for (size_t i = 0; i < blocks.size(); ++i) {
            const QRectF px = toPixels(blocks[i].rect);
            if (!px.intersects(clip)) continue;
            painter->setBrush(blocks[i].fill);
            // Outlines only where there is room: on slivers they would be all one sees.
            const bool outline = px.width() >= 4 && px.height() >= 4;
            painter->setPen(outline ? QPen(blocks[i].fill.darker(150), 0) : QPen(Qt::NoPen));
            painter->drawRect(px);
        }
        auto mark = [&](int index, const QColor& color) {
            if (index < 0 || index >= static_cast<int>(blocks.size())) return;
            painter->setBrush(Qt::NoBrush);
            painter->setPen(QPen(color, 2));
            painter->drawRect(toPixels(blocks[static_cast<size_t>(index)].rect).adjusted(-1, -1, 1, 1));
        };
        painter->setBrush(Qt::NoBrush);
        painter->setPen(QPen(QColor(0xe3, 0x74, 0x00), 1.5));
        for (const Block& block : blocks)
            if (atCursor(block)) painter->drawRect(toPixels(block.rect));
        mark(highlighted, QColor(0xd9, 0x30, 0x25));
        mark(hovered, QColor(0x20, 0x21, 0x24));
    }
    void drawLegendIcon(QCPPainter*, const QRectF&) const override {}
};

namespace {

// Light blue for small tensors to deep blue for the biggest (log scale:
// sizes span several orders of magnitude).
QColor sizeColor(double bytes, double minBytes, double maxBytes) {
    double t = 1;
    if (maxBytes > minBytes && bytes > 0)
        t = (std::log(bytes) - std::log(std::max(1.0, minBytes))) /
            (std::log(maxBytes) - std::log(std::max(1.0, minBytes)));
    t = std::clamp(t, 0.0, 1.0);
    const QColor light(0xb9, 0xd3, 0xf6), dark(0x1f, 0x5f, 0xbf);
    return QColor::fromRgbF(light.redF() + t * (dark.redF() - light.redF()),
                            light.greenF() + t * (dark.greenF() - light.greenF()),
                            light.blueF() + t * (dark.blueF() - light.blueF()));
}

// A kernel's scratch memory planned beside the tensors. The placement
// carries no category, only the planner's name for it.
bool isWorkspace(const interstage::TensorPlacement& p) { return p.name.rfind("workspace of ", 0) == 0; }

// Body tensors apart from the plan's blues.
QColor bodyColor() { return QColor(0x9c, 0x6a, 0xd6); }

}  // namespace

MemoryMap::MemoryMap(QWidget* parent) : QWidget(parent) {
    title_ = new QLabel(tr("Memory map"));
    QFont bold = title_->font();
    bold.setBold(true);
    title_->setFont(bold);
    summary_ = new QLabel;
    summary_->setStyleSheet("color: #5f6368;");
    summary_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // may shrink; the window may not grow
    auto* header = new QHBoxLayout;
    header->setContentsMargins(4, 0, 4, 0);
    header->addWidget(title_);
    header->addSpacing(12);
    header->addWidget(summary_, 1);

    plot_ = new QCustomPlot;
    plot_->setMinimumHeight(160);
    applyChartTheme(plot_);
    plot_->xAxis->setLabel(tr("step (execution order)"));
    plot_->yAxis->setLabel(tr("memory (MiB)"));
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    blocks_ = new PlacementBlocks(plot_->xAxis, plot_->yAxis);
    blocks_->removeFromLegend();
    // Where the live tensors peak: what reduce and arena must hold at once.
    peakLine_ = new QCPItemStraightLine(plot_);
    peakLine_->setPen(QPen(QColor(0xc5, 0x22, 0x1f), 1, Qt::DashLine));
    peakLine_->setVisible(false);
    stepLine_ = new QCPItemStraightLine(plot_);
    stepLine_->setPen(QPen(QColor(0xe3, 0x74, 0x00), 2));
    stepLine_->setVisible(false);
    connect(plot_, &QCustomPlot::mouseMove, this, &MemoryMap::onMouseMove);
    connect(plot_, &QCustomPlot::mousePress, this, &MemoryMap::onMousePress);
    connect(plot_, &QCustomPlot::mouseRelease, this, &MemoryMap::onMouseRelease);
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this] { resetView(); });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(header);
    layout->addWidget(plot_, 1);
    clear();
}

MemoryMap::~MemoryMap() = default;

void MemoryMap::setPlacements(const std::vector<interstage::TensorPlacement>& placements, const QString& modeName,
                              bool arena, const std::vector<appcore::BodyBlock>& bodies) {
    blocks_->placements = placements;
    blocks_->bodies = bodies;
    blocks_->blocks.clear();
    blocks_->lanes.clear();
    blocks_->hovered = blocks_->highlighted = -1;
    setStepCursor(-1);  // the window sets it again for the new plan
    int steps = 0;
    double minBytes = 0, maxBytes = 0;
    for (const auto& p : placements) {
        steps = std::max(steps, p.last + 1);
        const double b = static_cast<double>(p.bytes);
        minBytes = minBytes == 0 ? b : std::min(minBytes, b);
        maxBytes = std::max(maxBytes, b);
    }
    blocks_->steps = steps;
    blocks_->arena = arena;

    // Lane (or slab) origin of each placement, in bytes.
    std::vector<double> origin(placements.size(), 0.0);
    double heldBytes = 0, totalBytes = 0;
    int buffers = 0;
    if (arena) {
        double slab = 0;
        for (size_t i = 0; i < placements.size(); ++i) {
            origin[i] = static_cast<double>(placements[i].offset);
            slab = std::max(slab, origin[i] + static_cast<double>(placements[i].bytes));
        }
        blocks_->lanes.push_back({0, toMiB(slab), true});
        heldBytes = totalBytes = slab;
        buffers = placements.empty() ? 0 : 1;
    } else {
        struct Buffer {
            double bytes = 0;
            int first = 0;
            bool perRun = false;
            double y = 0;
        };
        std::map<int, Buffer> byId;
        for (const auto& p : placements) {
            auto [it, fresh] = byId.try_emplace(p.buffer);
            Buffer& b = it->second;
            b.bytes = std::max(b.bytes, static_cast<double>(p.offset + p.bytes));
            b.first = fresh ? p.first : std::min(b.first, p.first);
            b.perRun = b.perRun || p.perRunBuffer;
        }
        // Lanes in order of first use: the map reads as a staircase from
        // the first step to the last.
        std::vector<std::pair<int, Buffer*>> order;
        for (auto& [id, b] : byId) order.push_back({id, &b});
        std::stable_sort(order.begin(), order.end(),
                         [](const auto& a, const auto& b) { return a.second->first < b.second->first; });
        // Reduce plans allocate and free most buffers around their tensors
        // on every run; the rest are held through it.
        double y = 0;
        for (auto& [id, b] : order) {
            b->y = y;
            const bool held = !b->perRun;
            blocks_->lanes.push_back({toMiB(y), toMiB(b->bytes), held});
            if (held) heldBytes += b->bytes;
            y += b->bytes;
        }
        // Concat inputs written in place sit at their offset in the host's buffer.
        for (size_t i = 0; i < placements.size(); ++i)
            origin[i] = byId[placements[i].buffer].y + static_cast<double>(placements[i].offset);
        totalBytes = y;
        buffers = static_cast<int>(byId.size());
    }
    for (size_t i = 0; i < placements.size(); ++i) {
        const auto& p = placements[i];
        // A Concat input whose pages moved into the Concat's output holds its
        // own lane until the move; from then its bytes are the output's.
        const int end = p.movedAt >= 0 ? p.movedAt : p.last + 1;
        const QRectF rect(p.first, toMiB(origin[i]), std::max(1, end - p.first), toMiB(static_cast<double>(p.bytes)));
        QColor fill = sizeColor(static_cast<double>(p.bytes), minBytes, maxBytes);
        if (p.kept)
            fill = categoryColor(interstage::MemoryCategory::Output);
        else if (isWorkspace(p))
            fill = categoryColor(interstage::MemoryCategory::Workspace);
        blocks_->blocks.push_back({rect, fill});
    }
    totalBytes += addBodyBlocks(totalBytes);
    blocks_->top = toMiB(totalBytes);

    // The engine's count: a Concat host from its first in-place input on,
    // its inputs inside it counted once.
    const interstage::LivePeak peak = interstage::peakOfLiveTensors(placements);
    double peakWorkspace = 0;
    QStringList peakTensors;
    for (std::size_t i : peak.tensors) {
        const auto& p = placements[i];
        if (isWorkspace(p)) peakWorkspace += static_cast<double>(p.bytes);
        if (peakTensors.size() < 4)
            peakTensors << tr("%1 %2").arg(QString::fromStdString(p.name), formatBytes(static_cast<double>(p.bytes)));
    }
    if (peak.tensors.size() > 4) peakTensors << tr("%n more", nullptr, static_cast<int>(peak.tensors.size() - 4));
    peakLine_->setVisible(peak.step >= 0);
    peakLine_->point1->setCoords(peak.step + 0.5, 0);
    peakLine_->point2->setCoords(peak.step + 0.5, 1);
    title_->setText(tr("Memory map: %1").arg(modeName));
    QStringList parts;
    parts << tr("%n tensor(s)", nullptr, static_cast<int>(placements.size()));
    if (arena) {
        parts << tr("one slab of %1").arg(formatBytes(totalBytes));
    } else {
        parts << tr("%n buffer(s) totalling %1", nullptr, buffers).arg(formatBytes(totalBytes));
        parts << (heldBytes > 0 ? tr("%1 held through the run").arg(formatBytes(heldBytes))
                                : tr("each freed after its last use"));
    }
    QString alive = tr("at most %1 alive, at step %2").arg(formatBytes(static_cast<double>(peak.bytes))).arg(peak.step);
    if (peakWorkspace > 0) alive += tr(" (%1 of it workspace)").arg(formatBytes(peakWorkspace));
    parts << alive;
    if (!bodies.empty()) parts << tr("%n body tensor(s) inside their node's step", nullptr, bodyBlockCount());
    summary_->setText(parts.join(QStringLiteral("  ·  ")));
    summary_->setToolTip(parts.join(QLatin1Char('\n')) + tr("\nalive at the peak (dashed line): ") +
                         peakTensors.join(QStringLiteral(", ")));
    plot_->yAxis->setLabel(arena ? tr("offset in the slab (MiB)") : tr("buffers, one lane each (MiB)"));
    resetView();
}

void MemoryMap::clear() {
    setPlacements({}, QString(), false);
    title_->setText(tr("Memory map"));
    summary_->setText(tr("run a model to see where its tensors live"));
}

void MemoryMap::highlightTensor(const QString& name) {
    blocks_->highlighted = -1;
    const std::string wanted = name.toStdString();
    for (size_t i = 0; i < blocks_->blocks.size() && !name.isEmpty(); ++i)
        if (blocks_->nameOf(i) == name) blocks_->highlighted = static_cast<int>(i);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void MemoryMap::setStepCursor(int step) {
    blocks_->cursorStep = step;
    stepLine_->setVisible(step >= 0);
    stepLine_->point1->setCoords(step + 0.5, 0);
    stepLine_->point2->setCoords(step + 0.5, 1);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

int MemoryMap::stepCursor() const { return blocks_->cursorStep; }

int MemoryMap::blocksAtStepCursor() const {
    return int(std::count_if(blocks_->blocks.begin(), blocks_->blocks.end(),
                             [this](const PlacementBlocks::Block& b) { return blocks_->atCursor(b); }));
}

int MemoryMap::tensorCount() const { return static_cast<int>(blocks_->placements.size()); }
QString MemoryMap::summaryText() const { return summary_->text(); }
int MemoryMap::laneCount() const { return static_cast<int>(blocks_->lanes.size()); }
int MemoryMap::bodyBlockCount() const { return static_cast<int>(blocks_->bodies.size()); }

std::vector<QRectF> MemoryMap::blockRects() const {
    std::vector<QRectF> rects;
    rects.reserve(blocks_->blocks.size());
    for (const auto& block : blocks_->blocks) rects.push_back(block.rect);
    return rects;
}

// Body lanes above the plan's (from `base` bytes), one per body value, as
// tall as its largest iteration; each iteration a slice of its node's
// step. Returns the bytes the lanes add.
double MemoryMap::addBodyBlocks(double base) {
    std::vector<double> laneBytes;
    for (const appcore::BodyBlock& b : blocks_->bodies) {
        if (static_cast<size_t>(b.lane) >= laneBytes.size()) laneBytes.resize(static_cast<size_t>(b.lane) + 1, 0.0);
        laneBytes[static_cast<size_t>(b.lane)] =
            std::max(laneBytes[static_cast<size_t>(b.lane)], static_cast<double>(b.bytes));
        blocks_->steps = std::max(blocks_->steps, b.step + 1);
    }
    std::vector<double> laneY(laneBytes.size(), base);
    double y = base;
    for (size_t lane = 0; lane < laneBytes.size(); ++lane) {
        laneY[lane] = y;
        y += laneBytes[lane];
    }
    for (const appcore::BodyBlock& b : blocks_->bodies) {
        const double width = 1.0 / std::max(1, b.iterations);
        const QRectF rect(b.step + b.iteration * width, toMiB(laneY[static_cast<size_t>(b.lane)]), width,
                          toMiB(static_cast<double>(b.bytes)));
        blocks_->blocks.push_back({rect, bodyColor()});
    }
    return y - base;
}

QString MemoryMap::tensorAt(const QPointF& pixel) const {
    if (!plot_->axisRect()->rect().contains(pixel.toPoint())) return {};
    const int i = blocks_->indexAt(pixel);
    return i < 0 ? QString() : blocks_->nameOf(static_cast<size_t>(i));
}

QPointF MemoryMap::tensorCenter(const QString& name) const {
    const std::string wanted = name.toStdString();
    for (size_t i = 0; i < blocks_->blocks.size(); ++i)
        if (blocks_->nameOf(i) == name) return blocks_->toPixels(blocks_->blocks[i].rect).center();
    return {};
}

void MemoryMap::resetView() {
    plot_->xAxis->setRange(0, std::max(1, blocks_->steps));
    plot_->yAxis->setRange(0, blocks_->top > 0 ? blocks_->top * 1.02 : 1.0);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void MemoryMap::onMouseMove(QMouseEvent* event) {
    if (event->buttons() != Qt::NoButton) return;  // dragging the view
    const QPointF pos = event->position();
    const int index = plot_->axisRect()->rect().contains(pos.toPoint()) ? blocks_->indexAt(pos) : -1;
    if (index != blocks_->hovered) {
        blocks_->hovered = index;
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
    if (index < 0) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(event->globalPosition().toPoint(), describeTensor(blocks_->nameOf(static_cast<size_t>(index))),
                       plot_);
}

QString MemoryMap::describeTensor(const QString& name) const {
    const auto found = std::find_if(blocks_->placements.begin(), blocks_->placements.end(),
                                    [&](const auto& p) { return QString::fromStdString(p.name) == name; });
    if (found == blocks_->placements.end()) return describeBodyBlock(name);
    const auto& p = *found;
    QString html = QStringLiteral("<b>%1</b><br>%2 · steps %3–%4 (%5)")
                       .arg(QString::fromStdString(p.name).toHtmlEscaped(), formatBytes(static_cast<double>(p.bytes)))
                       .arg(p.first)
                       .arg(p.last)
                       .arg(tr("%n step(s)", nullptr, p.last - p.first + 1));
    html += blocks_->arena ? tr("<br>offset %1 in the slab").arg(formatBytes(static_cast<double>(p.offset)))
                           : tr("<br>buffer %1").arg(p.buffer);
    if (p.kept) html += tr("<br>kept after the run (graph output or pinned)");
    if (p.movedAt >= 0)
        html += tr("<br>its pages move into buffer %1 at step %2: the Concat there takes them over, no copy")
                    .arg(p.movedBuffer)
                    .arg(p.movedAt);
    if (p.channelBlock)
        html += tr("<br>stored nChw%1c: channels in blocks of %1, as the convolutions read them").arg(p.channelBlock);
    return html;
}

QString MemoryMap::describeBodyBlock(const QString& label) const {
    const auto found = std::find_if(blocks_->bodies.begin(), blocks_->bodies.end(),
                                    [&](const appcore::BodyBlock& b) { return b.label == label; });
    if (found == blocks_->bodies.end()) return {};
    return tr("<b>%1</b><br>%2 · in step %3, iteration %4 of %5<br>a control-flow body's tensor: its body's own "
              "plan places it while the node runs")
        .arg(label.toHtmlEscaped(), formatBytes(static_cast<double>(found->bytes)))
        .arg(found->step)
        .arg(found->iteration)
        .arg(found->iterations);
}

void MemoryMap::onMousePress(QMouseEvent* event) { pressPos_ = event->position(); }

void MemoryMap::onMouseRelease(QMouseEvent* event) {
    // A click, not the end of a drag.
    if (event->button() != Qt::LeftButton || (event->position() - pressPos_).manhattanLength() > 3) return;
    const QString name = tensorAt(event->position());
    if (name.isEmpty()) return;
    highlightTensor(name);
    emit tensorClicked(name);
}

}  // namespace widgets
