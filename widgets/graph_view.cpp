#include "widgets/graph_view.h"

#include <QGraphicsScene>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "core/graph_bodies.h"
#include "widgets/chart_style.h"
#include "widgets/graph_group_items.h"
#include "widgets/graph_items.h"
#include "widgets/graph_legend.h"
#include "widgets/graph_minimap.h"
#include "widgets/graph_style.h"

namespace widgets {
namespace {

namespace style = widgets::graphstyle;
using graphitems::EdgeItem;
using graphitems::NodeItem;

constexpr double kMaxZoom = 4.0;
constexpr double kWheelStep = 1.0015;  // per eighth of a degree: one notch ~ x1.2
constexpr double kReadableZoom = 0.9;  // titles and names legible
constexpr double kSceneMargin = 40.0;
constexpr int kLegendMargin = 12;
constexpr int kClickSlop = 4;  // pixels a click may move before it is a drag

QString steps(int count) { return count == 1 ? QStringLiteral("1 step") : QStringLiteral("%1 steps").arg(count); }

}  // namespace

GraphView::GraphView(QWidget* parent) : QGraphicsView(parent), scene_(new QGraphicsScene(this)) {
    scene_->setItemIndexMethod(QGraphicsScene::BspTreeIndex);
    setScene(scene_);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    // Selection changes touch a node and its arrows far apart: one bounding
    // repaint is cheaper than many small ones.
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    // Every item sets the pen, brush and font it uses, and its bounds include
    // the antialiasing margin.
    setOptimizationFlags(QGraphicsView::DontSavePainterState | QGraphicsView::DontAdjustForAntialiasing);
    setBackgroundBrush(style::kBackground);
    setFrameShape(QFrame::NoFrame);
    setFocusPolicy(Qt::StrongFocus);
    legend_ = new GraphLegend(this);
    legend_->hide();
    minimap_ = new GraphMinimap(this);
    minimap_->hide();
    connect(this, &GraphView::zoomChanged, minimap_, [this] { minimap_->update(); });
    breadcrumb_ = new QLabel(this);
    breadcrumb_->setTextFormat(Qt::RichText);
    breadcrumb_->setStyleSheet(
        QStringLiteral("QLabel { background: rgba(255,255,255,230); border: 1px solid #c8ceda; border-radius: 4px; "
                       "padding: 3px 8px; }"));
    breadcrumb_->move(kLegendMargin, kLegendMargin);
    breadcrumb_->hide();
    connect(breadcrumb_, &QLabel::linkActivated, this, [this](const QString& link) {
        const int group = link.toInt();
        setFocusGroup(group);
        centreOnGroup(group);
    });
}

GraphView::~GraphView() = default;

void GraphView::clearScene() {
    scene_->clear();
    nodes_.clear();
    edges_.clear();
    frames_.clear();
    std::fill(layoutOfNode_.begin(), layoutOfNode_.end(), -1);
    selected_ = -1;
    selectedEdge_ = -1;
    matches_.clear();
    minBytes_ = maxBytes_ = 0;
    maxLifetime_ = 0;
}

void GraphView::setEmptyText(const QString& text) {
    emptyText_ = text;
    viewport()->update();
}

void GraphView::clearGraph() {
    clearScene();
    values_.clear();
    layoutOfNode_.clear();
    infos_.clear();
    grouped_.reset();
    expansion_ = appcore::Expansion();
    itemOfNode_.clear();
    shownGeneration_ = ++layoutGeneration_;  // a layout still running is dropped when it arrives
    if (layoutCancel_) layoutCancel_->store(true);
    layoutCancel_.reset();
    pendingNode_ = -1;
    focusGroup_ = -1;
    step_ = GraphStep();
    hasStep_ = false;
    memory_ = appcore::NodeMemory();
    query_.clear();
    matchNodes_.clear();
    matchCursor_ = -1;
    scene_->setSceneRect(QRectF());
    legend_->hide();
    breadcrumb_->hide();
    updateMinimap();
    viewport()->update();
}

void GraphView::prepareGraph(const interstage::Graph& graph) {
    // Per-tensor numbers for colouring: bytes and lifetime in steps.
    const int lastStep = std::max(0, static_cast<int>(graph.nodes.size()) - 1);
    values_.resize(graph.values.size());
    for (size_t v = 0; v < graph.values.size(); ++v) {
        const interstage::Value& value = graph.values[v];
        if (value.isWeight()) continue;
        const int first = value.producer != interstage::kNoNode ? value.producer : 0;
        int last = first;
        for (interstage::NodeId consumer : value.consumers) last = std::max(last, static_cast<int>(consumer));
        if (value.isGraphOutput) last = lastStep;
        values_[v].bytes = value.byteSize();
        values_[v].name = QString::fromStdString(value.name);
        values_[v].shape = value.shape;
        values_[v].shapeResolved = value.shapeResolved;
        values_[v].lifetime = std::max(0, last - first);
    }
    // Control-flow body nodes are numbered after the main graph's
    // (appcore::collectBodies), so selection and search treat them alike.
    const appcore::GraphBodies bodies = appcore::collectBodies(graph);
    layoutOfNode_.assign(graph.nodes.size() + bodies.nodes.size(), -1);
    infos_.assign(graph.nodes.size() + bodies.nodes.size(), NodeInfo());
    for (size_t k = 0; k < bodies.nodes.size(); ++k) {
        const interstage::Node& node = *appcore::bodyNode(graph, bodies, static_cast<int>(graph.nodes.size() + k));
        infos_[graph.nodes.size() + k].name = QString::fromStdString(node.name);
        infos_[graph.nodes.size() + k].opType = QString::fromStdString(node.opType);
    }
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        const interstage::Node& node = graph.nodes[n];
        NodeInfo& info = infos_[n];
        info.name = QString::fromStdString(node.name);
        info.opType = QString::fromStdString(node.opType);
        for (interstage::ValueId out : node.outputs) {
            if (out == interstage::kNoValue) continue;
            if (info.value == interstage::kNoValue && !graph.value(out).isWeight()) info.value = out;
            info.outputs.push_back(out);
        }
    }
}

void GraphView::setGraph(const interstage::Graph& graph, const appcore::GraphLayout& layout) {
    const int previous = selectedNode();
    clearGraph();
    if (previous >= 0) emit nodeSelected(-1);
    prepareGraph(graph);
    buildScene(layout);
    if (isVisible() && viewport()->width() > 0)
        initialView();
    else
        pendingInitialView_ = true;
}

void GraphView::buildScene(const appcore::GraphLayout& layout) {
    nodes_.reserve(layout.nodes.size());
    for (int i = 0; i < layout.nodes.size(); ++i) {
        const appcore::LayoutNode& ln = layout.nodes[i];
        NodeEntry entry;
        entry.node = ln.node;
        entry.group = ln.group;
        entry.opType = ln.title;
        NodeItem* item = nullptr;
        QString tooltip;
        if (ln.node >= 0 && ln.node < static_cast<int>(infos_.size())) {
            const NodeInfo& info = infos_[static_cast<size_t>(ln.node)];
            entry.name = info.name;
            entry.family = static_cast<int>(style::familyOf(ln.title));
            entry.value = info.value;
            layoutOfNode_[static_cast<size_t>(ln.node)] = i;
            item = new NodeItem(i, ln.rect, ln.title, ln.subtitle, ln.detail, false);
            tooltip = ln.title + QStringLiteral("  ") + entry.name;
            if (!ln.detail.isEmpty()) tooltip += QStringLiteral("\n") + ln.detail;
            for (interstage::ValueId out : info.outputs) {
                const ValueStats& value = values_[static_cast<size_t>(out)];
                tooltip += QStringLiteral("\n→ ") + value.name;
                if (value.shapeResolved)
                    tooltip += QStringLiteral("  ") + QString::fromStdString(interstage::shapeToString(value.shape)) +
                               QStringLiteral(" · ") + formatBytes(value.bytes);
            }
        } else if (ln.group >= 0) {
            entry.name = ln.title;
            item = new NodeItem(i, ln.rect, ln.title, ln.subtitle, ln.detail, false);
            item->setCollapsedGroup(true);
            tooltip = grouped_->tree().group(ln.group).path + QStringLiteral("\n") + ln.subtitle +
                      QStringLiteral("\n") + ln.detail + tr("\nDouble-click to expand");
        } else {
            entry.name = ln.subtitle;
            entry.value = ln.value;
            const QString kind = ln.detail.isEmpty() ? ln.title : ln.title + QStringLiteral(" · ") + ln.detail;
            item = new NodeItem(i, ln.rect, ln.subtitle, QString(), kind, true);
            tooltip = QStringLiteral("graph ") + ln.title + QStringLiteral("  ") + ln.subtitle;
            if (!ln.detail.isEmpty()) tooltip += QStringLiteral("\n") + ln.detail;
        }
        item->setToolTip(tooltip);
        scene_->addItem(item);
        entry.item = item;
        entry.tooltip = tooltip;
        nodes_.push_back(std::move(entry));
    }
    for (const appcore::LayoutGroup& lg : layout.groups) {
        const int depth = static_cast<int>(grouped_->tree().ancestorsOf(lg.group).size());
        auto* frame = new graphitems::GroupFrameItem(lg.group, lg.rect, lg.title, lg.detail, depth);
        frame->setToolTip(grouped_->tree().group(lg.group).path + tr("\nDouble-click the header to collapse"));
        scene_->addItem(frame);
        frames_.push_back(frame);
    }

    edges_.reserve(layout.edges.size());
    // A tensor read by several nodes is labelled once, on the arrow to its
    // first consumer: the copies on its siblings would overlap where the
    // arrows leave the producer. The tooltips still name it everywhere.
    std::vector<bool> labelled(values_.size(), false);
    for (int i = 0; i < layout.edges.size(); ++i) {
        const appcore::LayoutEdge& le = layout.edges[i];
        EdgeEntry entry;
        entry.value = le.value;
        entry.from = le.from;
        entry.to = le.to;
        QString label;
        if (le.value >= 0 && static_cast<size_t>(le.value) < labelled.size() && !labelled[le.value]) {
            labelled[static_cast<size_t>(le.value)] = true;
            label = le.label;
        }
        auto* item = new EdgeItem(i, le.path, label, le.labelPos);
        QString tooltip;
        if (le.value >= 0 && le.value < static_cast<int>(values_.size())) {
            tooltip = values_[static_cast<size_t>(le.value)].name;
            if (!le.label.isEmpty()) tooltip += QStringLiteral("\n") + le.label;
            tooltip += QStringLiteral("\nlives ") + steps(values_[static_cast<size_t>(le.value)].lifetime);
            const std::uint64_t bytes = values_[static_cast<size_t>(le.value)].bytes;
            if (bytes > 0) {
                minBytes_ = minBytes_ == 0 ? bytes : std::min(minBytes_, bytes);
                maxBytes_ = std::max(maxBytes_, bytes);
            }
            maxLifetime_ = std::max(maxLifetime_, values_[static_cast<size_t>(le.value)].lifetime);
        }
        item->setToolTip(tooltip);
        scene_->addItem(item);
        entry.item = item;
        edges_.push_back(entry);
    }

    for (int node : matchNodes_)
        if (layoutOfNode_[static_cast<size_t>(node)] >= 0) matches_.push_back(layoutOfNode_[static_cast<size_t>(node)]);
    scene_->setSceneRect(layout.bounds.adjusted(-kSceneMargin, -kSceneMargin, kSceneMargin, kSceneMargin));
    applyColors();
    applyMarks();
    applyProblems();
    applyStep();
    updateLegend();
    updateMinimap();
}

double GraphView::rampPosition(interstage::ValueId value) const {
    if (value < 0 || static_cast<size_t>(value) >= values_.size()) return -1;
    const ValueStats& stats = values_[static_cast<size_t>(value)];
    if (colorBy_ == ColorBy::TensorSize) {
        if (stats.bytes == 0 || maxBytes_ == 0) return -1;
        if (maxBytes_ <= minBytes_) return 1;
        return std::log(static_cast<double>(stats.bytes) / static_cast<double>(minBytes_)) /
               std::log(static_cast<double>(maxBytes_) / static_cast<double>(minBytes_));
    }
    // Most tensors live one step and a few live across the whole graph: a
    // log scale from one step keeps the short ones apart.
    if (maxLifetime_ <= 1) return 0;
    return std::log(std::max(stats.lifetime, 1)) / std::log(maxLifetime_);
}

void GraphView::applyColors() {
    for (const NodeEntry& entry : nodes_) {
        if (applyHeatColor(entry)) continue;
        if (entry.group >= 0) {
            entry.item->setColors(style::kGroupHeader, style::kGroupFill, style::kGroupBorder);
            continue;
        }
        if (colorBy_ == ColorBy::OpType) {
            if (entry.node < 0) {
                const bool input = entry.opType == QLatin1String("input");
                entry.item->setColors(input ? style::kInputFill : style::kOutputFill,
                                      input ? style::kInputFill : style::kOutputFill,
                                      input ? style::kInputBorder : style::kOutputBorder);
            } else {
                const style::FamilyColors colors = style::familyColors(static_cast<style::OpFamily>(entry.family));
                entry.item->setColors(colors.header, Qt::white, colors.border);
            }
            continue;
        }
        const double t = rampPosition(entry.value);
        const QColor color = t < 0 ? style::kEdge : style::rampColor(t);
        entry.item->setColors(style::pale(color, 0.32), entry.node < 0 ? style::pale(color, 0.32) : QColor(Qt::white),
                              color);
    }
    for (const EdgeEntry& entry : edges_) {
        if (colorBy_ == ColorBy::OpType || colorBy_ == ColorBy::LiveBytes || colorBy_ == ColorBy::BytesAddedFreed) {
            entry.item->setStyle(style::kEdge, 1.2);
            continue;
        }
        const double t = rampPosition(entry.value);
        if (t < 0)
            entry.item->setStyle(style::pale(style::kEdge, 0.6), 1.0);
        else
            entry.item->setStyle(style::rampColor(t), 1.0 + 2.4 * t);
    }
}

void GraphView::applyMarks() {
    for (int i = 0; i < nodes_.size(); ++i) {
        nodes_[i].item->setSelectedMark(i == selected_);
        nodes_[i].item->setMatchMark(matches_.contains(i));
    }
    for (int i = 0; i < edges_.size(); ++i) {
        const EdgeEntry& e = edges_[i];
        e.item->setHighlighted(i == selectedEdge_ || (selected_ >= 0 && (e.from == selected_ || e.to == selected_)));
    }
}

void GraphView::setProblems(const QHash<int, QString>& reasonByNode) {
    problems_ = reasonByNode;
    applyProblems();
}

// A node's mark, or a collapsed group's when a node inside has one: a
// problem must not hide in a group that opened collapsed.
void GraphView::applyProblems() {
    for (const NodeEntry& entry : nodes_) {
        const QString reason = entry.node >= 0    ? problems_.value(entry.node)
                               : entry.group >= 0 ? problemInGroup(entry.group)
                                                  : QString();
        entry.item->setProblem(!reason.isEmpty());
        const QString tooltip = entry.tooltip + memoryNote(entry);
        entry.item->setToolTip(reason.isEmpty() ? tooltip : tooltip + QStringLiteral("\n\n") + reason);
    }
}

QString GraphView::problemInGroup(int group) const {
    if (!grouped_ || problems_.isEmpty()) return {};
    const auto& plan = grouped_->plan().nodes;
    int count = 0;
    QString first;
    for (int item = 0; item < plan.size(); ++item) {
        const int node = plan[item].node;
        if (node < 0 || !problems_.contains(node) || !grouped_->tree().contains(group, item)) continue;
        if (count++ == 0) first = problems_.value(node);
    }
    if (count == 0) return {};
    return count == 1 ? tr("A node inside: %1").arg(first)
                      : tr("%1 nodes inside have problems; the first: %2").arg(count).arg(first);
}

int GraphView::problemCount() const {
    return int(std::count_if(nodes_.begin(), nodes_.end(), [](const NodeEntry& e) { return e.item->hasProblem(); }));
}

void GraphView::setColorBy(ColorBy mode) {
    if (colorBy_ == mode) return;
    colorBy_ = mode;
    applyColors();
    updateLegend();
    updateMinimap();
}

void GraphView::updateLegend() {
    if (nodes_.isEmpty()) {
        legend_->hide();
        return;
    }
    if (showHeatLegend()) {
        // graph_view_heat.cpp
    } else if (colorBy_ == ColorBy::OpType) {
        // Only the families this graph has, in a fixed order.
        std::vector<bool> present(static_cast<size_t>(style::OpFamily::Count), false);
        for (const NodeEntry& entry : nodes_)
            if (entry.node >= 0) present[static_cast<size_t>(entry.family)] = true;
        QVector<GraphLegend::Swatch> swatches;
        for (size_t f = 0; f < present.size(); ++f) {
            if (!present[f]) continue;
            const auto family = static_cast<style::OpFamily>(f);
            const style::FamilyColors colors = style::familyColors(family);
            swatches.push_back({colors.header, colors.border, style::familyName(family)});
        }
        legend_->showSwatches(tr("Op family"), swatches);
    } else if (colorBy_ == ColorBy::TensorSize) {
        if (maxBytes_ == 0)
            legend_->showRamp(tr("Tensor size (shapes unresolved)"), QString(), QString());
        else
            legend_->showRamp(tr("Tensor size (log scale)"), formatBytes(minBytes_), formatBytes(maxBytes_));
    } else {
        legend_->showRamp(tr("Tensor lifetime (log scale)"), steps(1), steps(std::max(maxLifetime_, 1)));
    }
    legend_->show();
    legend_->raise();
    placeLegend();
}

void GraphView::placeLegend() {
    const QRect area = viewport()->geometry();
    // Bottom right: dot starts graphs at the top left, so the corner under
    // the last ranks' right side is the emptiest.
    legend_->move(area.right() - legend_->width() - kLegendMargin + 1,
                  area.bottom() - legend_->height() - kLegendMargin + 1);
    minimap_->place();  // beside the legend, or above when both do not fit
}

double GraphView::zoom() const { return transform().m11(); }

void GraphView::zoomBy(double factor) {
    const QRectF scene = sceneRect();
    const QSize view = viewport()->size();
    double fit = 1.0;
    if (!scene.isEmpty() && view.width() > 0)
        fit = std::min(view.width() / scene.width(), view.height() / scene.height());
    // Out to a bit beyond the whole graph, in to 400 %.
    const double minZoom = std::min(0.1, fit * 0.8);
    const double current = zoom();
    const double target = std::clamp(current * factor, minZoom, kMaxZoom);
    if (std::abs(target - current) < 1e-9) return;
    scale(target / current, target / current);
    emit zoomChanged(target);
}

void GraphView::zoomIn() {
    const ViewportAnchor anchor = transformationAnchor();
    setTransformationAnchor(QGraphicsView::AnchorViewCenter);
    zoomBy(1.25);
    setTransformationAnchor(anchor);
}

void GraphView::zoomOut() {
    const ViewportAnchor anchor = transformationAnchor();
    setTransformationAnchor(QGraphicsView::AnchorViewCenter);
    zoomBy(1 / 1.25);
    setTransformationAnchor(anchor);
}

void GraphView::fitToWindow() {
    if (sceneRect().isEmpty()) return;
    fitInView(sceneRect(), Qt::KeepAspectRatio);
    emit zoomChanged(zoom());
}

void GraphView::initialView() {
    pendingInitialView_ = false;
    const QRectF scene = sceneRect();
    const QSize view = viewport()->size();
    if (scene.isEmpty() || view.isEmpty()) return;
    const double fit = std::min(view.width() / scene.width(), view.height() / scene.height());
    if (fit >= kReadableZoom * 0.6) {
        fitToWindow();
        return;
    }
    // Tall networks (hundreds of ranks) are unreadable whole: start at the
    // inputs, as wide as fits but never below a legible zoom.
    const double s = std::clamp(view.width() / scene.width(), kReadableZoom, 1.0);
    setTransform(QTransform::fromScale(s, s));
    double x = scene.center().x();
    if (scene.width() * s > view.width()) {
        // Too wide: centre on the first input marker (or the first node).
        int first = 0;
        for (int i = 0; i < nodes_.size(); ++i) {
            if (nodes_[i].node < 0 && nodes_[i].opType == QLatin1String("input")) {
                first = i;
                break;
            }
        }
        if (!nodes_.isEmpty()) x = nodes_[first].item->rect().center().x();
    }
    centerOn(QPointF(x, scene.top() + view.height() / (2 * s)));
    emit zoomChanged(s);
}

void GraphView::centreOn(int layoutIndex) {
    if (layoutIndex < 0 || layoutIndex >= nodes_.size()) return;
    if (zoom() < kReadableZoom) {
        const double factor = 1.0 / zoom();
        const ViewportAnchor anchor = transformationAnchor();
        setTransformationAnchor(QGraphicsView::AnchorViewCenter);
        scale(factor, factor);
        setTransformationAnchor(anchor);
        emit zoomChanged(zoom());
    }
    centerOn(nodes_[layoutIndex].item->rect().center());
}

int GraphView::selectedNode() const {
    if (pendingNode_ >= 0) return pendingNode_;
    return selected_ >= 0 ? nodes_[selected_].node : -1;
}

void GraphView::setSelection(int layoutIndex, int edgeIndex, bool centre) {
    const int previousNode = selectedNode();
    pendingNode_ = -1;
    const int previousLayout = selected_;
    const int previousEdge = selectedEdge_;
    selected_ = layoutIndex;
    selectedEdge_ = edgeIndex;
    applyMarks();
    if (centre) centreOn(layoutIndex);

    const int node = selectedNode();
    if (node != previousNode) emit nodeSelected(node);
    // Markers and arrows stand for a tensor: tell whoever shows tensors.
    // (A marker inside a control-flow body has no main-graph value.)
    if (layoutIndex >= 0 && layoutIndex != previousLayout && nodes_[layoutIndex].node < 0 &&
        nodes_[layoutIndex].group < 0 && nodes_[layoutIndex].value != interstage::kNoValue)
        emit valueSelected(nodes_[layoutIndex].value);
    if (edgeIndex >= 0 && edgeIndex != previousEdge && edges_[edgeIndex].value != interstage::kNoValue)
        emit valueSelected(edges_[edgeIndex].value);
}

bool GraphView::selectNodeIndex(int nodeIndex) {
    if (nodeIndex < 0) {
        setSelection(-1, -1, false);
        return true;
    }
    if (static_cast<size_t>(nodeIndex) >= layoutOfNode_.size()) return false;
    if (layoutOfNode_[static_cast<size_t>(nodeIndex)] >= 0) {
        setSelection(layoutOfNode_[static_cast<size_t>(nodeIndex)], -1, true);
        if (grouped_) setFocusGroup(grouped_->tree().groupOf(itemOfNode_[static_cast<size_t>(nodeIndex)]));
        return true;
    }
    // Inside a collapsed group: expand around it, select it when drawn.
    const int item = static_cast<size_t>(nodeIndex) < itemOfNode_.size() ? itemOfNode_[nodeIndex] : -1;
    if (!grouped_ || item < 0) return false;
    const int previous = selectedNode();
    setSelection(-1, -1, false);
    pendingNode_ = nodeIndex;
    if (previous != nodeIndex) emit nodeSelected(nodeIndex);
    expansion_.reveal(grouped_->tree(), item);
    setFocusGroup(grouped_->tree().groupOf(item));
    requestLayout();
    return true;
}

bool GraphView::selectNode(const QString& name) {
    for (size_t n = 0; n < infos_.size(); ++n)
        if (infos_[n].name == name && selectNodeIndex(static_cast<int>(n))) return true;
    return false;
}

int GraphView::findAndSelect(const QString& text) {
    const QString query = text.trimmed();
    if (query.isEmpty()) {
        query_.clear();
        matchNodes_.clear();
        matches_.clear();
        matchCursor_ = -1;
        applyMarks();
        return 0;
    }
    if (query.compare(query_, Qt::CaseInsensitive) != 0) {
        // Every drawn node, collapsed groups' members too, in execution order.
        query_ = query;
        matchNodes_.clear();
        matches_.clear();
        for (size_t n = 0; n < infos_.size(); ++n) {
            if (layoutOfNode_[n] < 0 && (n >= itemOfNode_.size() || itemOfNode_[n] < 0)) continue;
            const NodeInfo& info = infos_[n];
            if (info.name.contains(query, Qt::CaseInsensitive) || info.opType.contains(query, Qt::CaseInsensitive)) {
                matchNodes_.push_back(static_cast<int>(n));
                if (layoutOfNode_[n] >= 0) matches_.push_back(layoutOfNode_[n]);
            }
        }
        matchCursor_ = -1;
    }
    if (matchNodes_.isEmpty()) {
        applyMarks();
        return 0;
    }
    matchCursor_ = (matchCursor_ + 1) % static_cast<int>(matchNodes_.size());
    selectNodeIndex(matchNodes_[matchCursor_]);
    return static_cast<int>(matchNodes_.size());
}

void GraphView::wheelEvent(QWheelEvent* event) {
    const int delta = event->angleDelta().y();
    if (delta == 0 || nodes_.isEmpty()) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    zoomBy(std::pow(kWheelStep, delta));
    event->accept();
}

void GraphView::mousePressEvent(QMouseEvent* event) {
    pressPos_ = event->pos();
    QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent* event) {
    QGraphicsView::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton || (event->pos() - pressPos_).manhattanLength() > kClickSlop) return;
    bool onMarker = false;
    const int group = groupAt(event->pos(), &onMarker);
    if (group >= 0) {
        setFocusGroup(group);
        if (onMarker) {
            setGroupExpanded(group, !expansion_.isOpen(group));
            return;
        }
    }
    // A click, not a drag: the topmost node, else the arrow under the cursor.
    int node = -1;
    int edge = -1;
    for (QGraphicsItem* item : items(event->pos())) {
        if (item->type() == graphitems::NodeType) {
            node = static_cast<NodeItem*>(item)->layoutIndex();
            break;
        }
        if (edge < 0 && item->type() == graphitems::EdgeType) edge = static_cast<EdgeItem*>(item)->edgeIndex();
    }
    setSelection(node, node >= 0 ? -1 : edge, false);
}

void GraphView::keyPressEvent(QKeyEvent* event) {
    switch (event->key()) {
        case Qt::Key_Plus:
        case Qt::Key_Equal:
            zoomIn();
            return;
        case Qt::Key_Minus:
            zoomOut();
            return;
        case Qt::Key_0:
        case Qt::Key_F:
            fitToWindow();
            return;
        case Qt::Key_Escape:
            setSelection(-1, -1, false);
            return;
        default:
            QGraphicsView::keyPressEvent(event);
    }
}

void GraphView::showEvent(QShowEvent* event) {
    QGraphicsView::showEvent(event);
    if (pendingInitialView_ && !viewport()->size().isEmpty()) initialView();
}

void GraphView::resizeEvent(QResizeEvent* event) {
    QGraphicsView::resizeEvent(event);
    placeLegend();
    if (pendingInitialView_ && isVisible() && !viewport()->size().isEmpty()) initialView();
}

void GraphView::scrollContentsBy(int dx, int dy) {
    QGraphicsView::scrollContentsBy(dx, dy);
    minimap_->update();  // the visible rect moved
}

void GraphView::drawBackground(QPainter* painter, const QRectF& rect) {
    painter->fillRect(rect, style::kBackground);
    if (!nodes_.isEmpty()) return;
    // An empty view says what it is for.
    painter->save();
    painter->resetTransform();
    painter->setPen(style::kMutedText);
    painter->drawText(viewport()->rect().adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap, emptyText_);
    painter->restore();
}

}  // namespace widgets
