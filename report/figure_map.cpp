// The memory map figure: every planned tensor as a rectangle (x: its
// steps, y: its offset in its buffer's lane or in the arena's slab, height:
// its bytes), shaded by size, with the kinds told apart in the legend and
// the peak step drawn and named. Re-implemented for the page from the
// document's memory_map rows (the app's widget is not used).
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "interstage/live_peak.h"
#include "report/figure_kinds.h"

namespace report {

namespace {

struct Block {
    QRectF rect;  // x: steps, y: MiB
    QBrush brush;
    QPen pen;
};

// All rectangles in one plottable: a plan of thousands of tensors stays
// one pass, and the figure needs no hit testing.
class BlocksPlottable : public QCPAbstractPlottable {
public:
    BlocksPlottable(QCPAxis* key, QCPAxis* value) : QCPAbstractPlottable(key, value) {}
    std::vector<Block> lanes, blocks;
    double steps = 1, top = 1;

    double selectTest(const QPointF&, bool, QVariant*) const override { return -1; }
    QCPRange getKeyRange(bool& found, QCP::SignDomain) const override {
        found = true;
        return QCPRange(0, steps);
    }
    QCPRange getValueRange(bool& found, QCP::SignDomain, const QCPRange&) const override {
        found = true;
        return QCPRange(0, top);
    }

protected:
    void draw(QCPPainter* painter) override {
        for (const auto* list : {&lanes, &blocks}) {
            for (const Block& b : *list) {
                QRectF px = toPixels(b.rect);
                painter->setBrush(b.brush);
                // Outlines only where there is room: on slivers they would be all one sees.
                painter->setPen(px.width() >= 4 && px.height() >= 4 ? b.pen : QPen(Qt::NoPen));
                painter->drawRect(px);
            }
        }
    }
    void drawLegendIcon(QCPPainter*, const QRectF&) const override {}

private:
    QRectF toPixels(const QRectF& r) const {
        QRectF px = QRectF(QPointF(keyAxis()->coordToPixel(r.left()), valueAxis()->coordToPixel(r.top())),
                           QPointF(keyAxis()->coordToPixel(r.right()), valueAxis()->coordToPixel(r.bottom())))
                        .normalized();
        // Tiny tensors stay visible.
        if (px.width() < 1) px.setWidth(1);
        if (px.height() < 1) px.setHeight(1);
        return px;
    }
};

bool isWorkspace(const interstage::TensorPlacement& p) { return p.name.rfind("workspace of ", 0) == 0; }

// Written inside another tensor's bytes (an overwrite in place, a Concat
// input placed in its output), from the document's plan facts when it has
// them: drawn over its host, hatched, so both stay visible.
bool isInsideHost(const interstage::SavedRunSet& set, std::size_t i) {
    if (set.planTensors.size() != set.memoryMap.size()) return false;
    const std::string& role = set.planTensors[i].role;
    return role == "in-place" || role == "concat-member";
}

struct Lanes {
    std::vector<double> origin;                   // bytes, per placement
    std::vector<std::pair<double, double>> held;  // (y, bytes) of buffers held through the run
    double totalBytes = 0;
    int buffers = 0;
};

// Each buffer a lane, in order of first use (the map reads as a staircase);
// the arena's one slab with every tensor at its offset.
Lanes laneLayout(const std::vector<interstage::TensorPlacement>& map, bool arena) {
    Lanes lanes;
    lanes.origin.assign(map.size(), 0.0);
    if (arena) {
        for (std::size_t i = 0; i < map.size(); ++i) {
            lanes.origin[i] = static_cast<double>(map[i].offset);
            lanes.totalBytes = std::max(lanes.totalBytes, lanes.origin[i] + static_cast<double>(map[i].bytes));
        }
        lanes.held.push_back({0, lanes.totalBytes});
        lanes.buffers = 1;
        return lanes;
    }
    struct Buffer {
        double bytes = 0, y = 0;
        int first = 0;
        bool perRun = false;
    };
    std::map<int, Buffer> byId;
    for (const auto& p : map) {
        auto [it, fresh] = byId.try_emplace(p.buffer);
        it->second.bytes = std::max(it->second.bytes, static_cast<double>(p.offset + p.bytes));
        it->second.first = fresh ? p.first : std::min(it->second.first, p.first);
        it->second.perRun = it->second.perRun || p.perRunBuffer;
    }
    std::vector<Buffer*> order;
    for (auto& entry : byId) order.push_back(&entry.second);
    std::stable_sort(order.begin(), order.end(), [](const Buffer* a, const Buffer* b) { return a->first < b->first; });
    for (Buffer* b : order) {
        b->y = lanes.totalBytes;
        if (!b->perRun) lanes.held.push_back({b->y, b->bytes});
        lanes.totalBytes += b->bytes;
    }
    // In-place members sit at their offset inside their host's buffer.
    for (std::size_t i = 0; i < map.size(); ++i)
        lanes.origin[i] = byId[map[i].buffer].y + static_cast<double>(map[i].offset);
    lanes.buffers = static_cast<int>(byId.size());
    return lanes;
}

QBrush brushFor(Style style, const interstage::TensorPlacement& p, double logMin, double logMax) {
    if (p.kept) return blockBrush(style, BlockKind::Kept);
    if (isWorkspace(p)) return blockBrush(style, BlockKind::Workspace);
    const double t = logMax > logMin ? (std::log(std::max(1.0, double(p.bytes))) - logMin) / (logMax - logMin) : 1.0;
    return tensorBrush(style, t);
}

void fillBlocks(FigureFrame& frame, BlocksPlottable& plottable, const interstage::SavedRunSet& set, bool arena) {
    const auto& map = set.memoryMap;
    const Lanes lanes = laneLayout(map, arena);
    double logMin = 1e300, logMax = 0;
    int steps = 1;
    for (const auto& p : map) {
        logMin = std::min(logMin, std::log(std::max(1.0, double(p.bytes))));
        logMax = std::max(logMax, std::log(std::max(1.0, double(p.bytes))));
        steps = std::max(steps, p.last + 1);
    }
    for (const auto& [y, bytes] : lanes.held)
        plottable.lanes.push_back({QRectF(0, toMiB(y), steps, toMiB(bytes)),
                                   blockBrush(frame.style(), BlockKind::HeldLane), QPen(Qt::NoPen)});
    const QPen outline = blockPen(frame.style(), BlockKind::Tensor, frame.lineWidth());
    // Tensors inside a host last, so they are drawn over it.
    for (bool inside : {false, true}) {
        for (std::size_t i = 0; i < map.size(); ++i) {
            if (isInsideHost(set, i) != inside) continue;
            const auto& p = map[i];
            // A Concat input whose pages moved into the Concat's output holds its
            // own lane until the move; from then its bytes are the output's.
            const int end = p.movedAt >= 0 ? p.movedAt : p.last + 1;
            const QRectF rect(p.first, toMiB(lanes.origin[i]), std::max(1, end - p.first), toMiB(double(p.bytes)));
            if (inside)
                plottable.blocks.push_back({rect, blockBrush(frame.style(), BlockKind::InsideHost),
                                            blockPen(frame.style(), BlockKind::InsideHost, frame.lineWidth())});
            else
                plottable.blocks.push_back({rect, brushFor(frame.style(), p, logMin, logMax), outline});
        }
    }
    plottable.steps = steps;
    plottable.top = std::max(toMiB(lanes.totalBytes), 1e-6);
}

// Legend swatches: empty bar plottables whose icon is the brush.
void addSwatch(QCustomPlot& plot, const QString& name, const QBrush& brush, const QPen& pen) {
    auto* bars = new QCPBars(plot.xAxis, plot.yAxis);
    bars->setName(name);
    bars->setBrush(brush);
    bars->setPen(pen);
}

void addLegend(FigureFrame& frame, const interstage::SavedRunSet& set, bool arena) {
    QCustomPlot& plot = frame.plot();
    const Style style = frame.style();
    const QPen pen = blockPen(style, BlockKind::Tensor, frame.lineWidth());
    addSwatch(plot, QStringLiteral("small tensor"), tensorBrush(style, 0), pen);
    addSwatch(plot, QStringLiteral("large tensor (darker: bigger)"), tensorBrush(style, 1), pen);
    bool kept = false, workspace = false;
    for (const auto& p : set.memoryMap) {
        kept = kept || p.kept;
        workspace = workspace || isWorkspace(p);
    }
    if (kept) addSwatch(plot, QStringLiteral("kept (output or pinned)"), blockBrush(style, BlockKind::Kept), pen);
    bool inside = false;
    for (std::size_t i = 0; i < set.memoryMap.size(); ++i) inside = inside || isInsideHost(set, i);
    if (inside)
        addSwatch(plot, QStringLiteral("inside its host (in place)"), blockBrush(style, BlockKind::InsideHost),
                  blockPen(style, BlockKind::InsideHost, frame.lineWidth()));
    if (workspace) addSwatch(plot, QStringLiteral("kernel workspace"), blockBrush(style, BlockKind::Workspace), pen);
    addSwatch(plot, arena ? QStringLiteral("slab, held through the run") : QStringLiteral("held through the run"),
              blockBrush(style, BlockKind::HeldLane), QPen(mutedTextColor(style), frame.lineWidth() * 0.4));
}

QString peakLabel(const interstage::SavedRunSet& set, const interstage::LivePeak& peak) {
    QString label = QStringLiteral("peak step %1: %2 live").arg(peak.step).arg(formatBytes(double(peak.bytes)));
    if (peak.step >= 0 && peak.step < static_cast<int>(set.executedNodeNames.size()))
        label += QStringLiteral(" (%1)").arg(QString::fromStdString(set.executedNodeNames[std::size_t(peak.step)]));
    return label;
}

}  // namespace

void buildMemoryMap(FigureFrame& frame, const interstage::SavedSession& session, const FigureOptions& options) {
    const int setIndex = resolvedSetIndex(session, options.set);
    const interstage::SavedRunSet& set = session.runSets[static_cast<std::size_t>(setIndex)];
    const bool arena = set.options.mode.planner == interstage::PlannerKind::Arena;
    QCustomPlot& plot = frame.plot();
    auto* blocks = new BlocksPlottable(plot.xAxis, plot.yAxis);
    blocks->removeFromLegend();
    fillBlocks(frame, *blocks, set, arena);
    addLegend(frame, set, arena);
    plot.xAxis->setLabel(QStringLiteral("step (execution order)"));
    // Short: the label must fit the panel's height at column size; the
    // subtitle says how the lanes stack.
    plot.yAxis->setLabel(arena ? QStringLiteral("slab offset (MiB)") : QStringLiteral("buffer lanes (MiB)"));
    plot.xAxis->setRange(0, blocks->steps);
    plot.yAxis->setRange(0, blocks->top * 1.02);

    const interstage::LivePeak peak = interstage::peakOfLiveTensors(set.memoryMap);
    if (peak.step >= 0)
        frame.addVerticalReference(peak.step + 0.5, peakLabel(set, peak),
                                   referencePen(frame.style(), Reference::PeakStep, frame.lineWidth()));
    const Lanes lanes = laneLayout(set.memoryMap, arena);
    const QString shape = arena ? QStringLiteral("one slab of %1").arg(formatBytes(lanes.totalBytes))
                                : QStringLiteral("%1 buffers stacked as lanes, %2 in all")
                                      .arg(lanes.buffers)
                                      .arg(formatBytes(lanes.totalBytes));
    frame.setTitle(
        QStringLiteral("Memory map of %1").arg(modelFileName(session)),
        QStringLiteral("%1 · %2 tensors · %3").arg(configurationLabel(set)).arg(set.memoryMap.size()).arg(shape));
    frame.setFootnote(options.footnote.isEmpty() ? footnoteForRun(session, setIndex, -1) : options.footnote);
}

}  // namespace report
