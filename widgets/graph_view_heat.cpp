// Memory on the graph: boxes coloured by the bytes alive when they run, or
// by what their step adds minus what it frees, from a run set's plan
// (appcore::nodeMemoryOf), and the minimap's peak marker. Nodes that did
// not run (folded away) and markers stay neutral.
#include <algorithm>
#include <cmath>

#include "widgets/chart_style.h"
#include "widgets/graph_items.h"
#include "widgets/graph_legend.h"
#include "widgets/graph_minimap.h"
#include "widgets/graph_style.h"
#include "widgets/graph_view.h"

namespace widgets {
namespace {

namespace style = widgets::graphstyle;

constexpr double kMiB = 1024.0 * 1024.0;

QString mib(double bytes, bool sign) {
    const QString number = QString::number(bytes / kMiB, 'f', std::abs(bytes) < 10 * kMiB ? 1 : 0);
    return (sign && bytes > 0 ? QStringLiteral("+") : QString()) + number + QStringLiteral(" MiB");
}

std::int64_t netBytes(const appcore::NodeMemory& memory, size_t node) {
    return static_cast<std::int64_t>(memory.addedBytes[node]) - static_cast<std::int64_t>(memory.freedBytes[node]);
}

}  // namespace

void GraphView::setNodeMemory(const appcore::NodeMemory& memory) {
    memory_ = memory;
    maxHeatDelta_ = 0;
    for (size_t n = 0; n < memory_.ran.size(); ++n)
        if (memory_.ran[n]) maxHeatDelta_ = std::max(maxHeatDelta_, std::abs(netBytes(memory_, n)));
    applyColors();
    applyProblems();  // the tooltips' memory lines
    updateLegend();
    updateMinimap();
}

void GraphView::clearNodeMemory() { setNodeMemory(appcore::NodeMemory()); }

// Where a box sits on the current heat scale: [0, 1] for live bytes, [-1, 1]
// for added minus freed; NaN when it has no number (did not run, a marker).
// A collapsed group shows its hottest member and the sum of its steps' net
// bytes (each step once).
double GraphView::heatPosition(const NodeEntry& entry) const {
    const double none = std::nan("");
    std::vector<int> members;
    if (entry.group >= 0) {
        members = nodesInGroup(entry.group);
    } else if (entry.node >= 0) {
        members.push_back(entry.node);
    }
    std::size_t live = 0;
    std::int64_t net = 0;
    std::vector<int> stepsSeen;
    bool any = false;
    for (int node : members) {
        const auto n = static_cast<size_t>(node);
        if (n >= memory_.ran.size() || !memory_.ran[n]) continue;
        any = true;
        live = std::max(live, memory_.liveBytes[n]);
        if (std::find(stepsSeen.begin(), stepsSeen.end(), memory_.step[n]) != stepsSeen.end()) continue;
        stepsSeen.push_back(memory_.step[n]);
        net += netBytes(memory_, n);
    }
    if (!any) return none;
    if (colorBy_ == ColorBy::LiveBytes)
        return memory_.peakBytes == 0 ? 0.0 : static_cast<double>(live) / static_cast<double>(memory_.peakBytes);
    return maxHeatDelta_ == 0 ? 0.0 : static_cast<double>(net) / static_cast<double>(maxHeatDelta_);
}

// What a box's tooltip adds once a plan is known: its step's bytes.
QString GraphView::memoryNote(const NodeEntry& entry) const {
    const auto n = static_cast<size_t>(entry.node);
    if (memory_.empty() || entry.node < 0 || n >= memory_.ran.size()) return {};
    if (!memory_.ran[n]) return tr("\n\nDid not run (folded into a constant before the run)");
    return tr("\n\nStep %1: %2 alive · adds %3 · frees %4")
        .arg(memory_.step[n])
        .arg(formatBytes(static_cast<double>(memory_.liveBytes[n])))
        .arg(formatBytes(static_cast<double>(memory_.addedBytes[n])))
        .arg(formatBytes(static_cast<double>(memory_.freedBytes[n])));
}

bool GraphView::applyHeatColor(const NodeEntry& entry) {
    if (colorBy_ != ColorBy::LiveBytes && colorBy_ != ColorBy::BytesAddedFreed) return false;
    const double t = heatPosition(entry);
    if (std::isnan(t)) {
        // Neutral: no number for it (folded away, a marker, no plan yet).
        const QColor grey = entry.group >= 0 ? style::kGroupBorder : style::kEdge;
        entry.item->setColors(style::pale(grey, 0.18), QColor(Qt::white), style::pale(grey, 0.7));
        return true;
    }
    const QColor color = colorBy_ == ColorBy::LiveBytes ? style::rampColor(t) : style::divergingColor(t);
    entry.item->setColors(style::pale(color, 0.45), style::pale(color, 0.14), color);
    return true;
}

bool GraphView::showHeatLegend() {
    if (colorBy_ != ColorBy::LiveBytes && colorBy_ != ColorBy::BytesAddedFreed) return false;
    if (memory_.empty()) {
        legend_->showRamp(colorBy_ == ColorBy::LiveBytes ? tr("Bytes alive at the node's step")
                                                         : tr("Bytes the node's step adds / frees"),
                          QString(), QString());
        legend_->setNote(tr("Run a set (or plan one) to colour by memory"));
        return true;
    }
    if (colorBy_ == ColorBy::LiveBytes) {
        legend_->showRamp(tr("Bytes alive at the node's step"), mib(0, false),
                          mib(static_cast<double>(memory_.peakBytes), false) + tr(" (peak)"));
    } else {
        const auto range = static_cast<double>(maxHeatDelta_);
        legend_->showDivergingRamp(tr("Bytes the step adds − frees"), mib(-range, true), QStringLiteral("0"),
                                   mib(range, true));
    }
    legend_->setNote(tr("%1 · grey: did not run").arg(memory_.source));
    return true;
}

int GraphView::peakLayoutIndex() const {
    for (int node : memory_.peakNodes) {
        if (static_cast<size_t>(node) >= layoutOfNode_.size()) continue;
        if (layoutOfNode_[static_cast<size_t>(node)] >= 0) return layoutOfNode_[static_cast<size_t>(node)];
        const int group = collapsedGroupEntry(node);
        if (group >= 0) return group;
    }
    return -1;
}

QRectF GraphView::layoutRect(int layoutIndex) const {
    if (layoutIndex < 0 || layoutIndex >= nodes_.size()) return {};
    return nodes_[layoutIndex].item->rect();
}

QColor GraphView::nodeColorOf(const QString& nodeName) const {
    const int index = layoutIndexOfNode(nodeName);
    return index < 0 ? QColor() : nodes_[index].item->borderColor();
}

void GraphView::updateMinimap() {
    if (!minimap_) return;
    const int peak = peakLayoutIndex();
    QString tooltip;
    if (peak >= 0)
        tooltip = tr("the peak, %1 alive at step %2 (%3)")
                      .arg(formatBytes(static_cast<double>(memory_.peakBytes)))
                      .arg(memory_.peakStep)
                      .arg(nodes_[peak].name);
    minimap_->setPeakMarker(layoutRect(peak), tooltip);
    minimap_->refresh();
}

}  // namespace widgets
