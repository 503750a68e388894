// The graph view's groups: expanding and collapsing them (laid out off the
// UI thread, newest request wins), the breadcrumb, the +/- markers.
#include <QFutureWatcher>
#include <QLabel>
#include <QMouseEvent>
#include <QtConcurrent>

#include "widgets/graph_group_items.h"
#include "widgets/graph_items.h"
#include "widgets/graph_view.h"

namespace widgets {

void GraphView::setGroupedGraph(const interstage::Graph& graph, std::shared_ptr<const appcore::GroupedGraph> grouped,
                                const appcore::GraphLayout& layout, const appcore::Expansion& expansion) {
    const int previous = selectedNode();
    clearGraph();
    if (previous >= 0) emit nodeSelected(-1);
    prepareGraph(graph);
    grouped_ = std::move(grouped);
    expansion_ = expansion;
    itemOfNode_.assign(infos_.size(), -1);  // body nodes included (prepareGraph)
    const appcore::GraphLayout& plan = grouped_->plan();
    for (int item = 0; item < plan.nodes.size(); ++item) {
        const int node = plan.nodes[item].node;
        if (node >= 0 && static_cast<size_t>(node) < itemOfNode_.size()) itemOfNode_[static_cast<size_t>(node)] = item;
    }
    buildScene(layout);
    setFocusGroup(appcore::GroupTree::kRoot);
    if (isVisible() && viewport()->width() > 0)
        initialView();
    else
        pendingInitialView_ = true;
}

bool GraphView::setGroupExpanded(int group, bool expanded) {
    if (!grouped_ || group <= appcore::GroupTree::kRoot || group >= grouped_->tree().groupCount()) return false;
    if (expansion_.isOpen(group) == expanded) return true;
    expansion_.setOpen(group, expanded);
    setFocusGroup(group);
    requestLayout();
    return true;
}

void GraphView::requestLayout() {
    const int generation = ++layoutGeneration_;
    // The layout still running for an older request stops at its next group.
    if (layoutCancel_) layoutCancel_->store(true);
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    layoutCancel_ = cancel;
    auto* watcher = new QFutureWatcher<std::shared_ptr<const appcore::GraphLayout>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        const auto layout = watcher->result();
        // A newer request (or another graph) supersedes this one.
        if (generation != layoutGeneration_ || !layout) return;
        showLayout(*layout);
    });
    // The worker gets copies: the expansion may change again meanwhile.
    watcher->setFuture(QtConcurrent::run([grouped = grouped_, expansion = expansion_, cancel] {
        auto layout = grouped->layout(expansion, cancel.get());
        return layout.ok() ? std::make_shared<const appcore::GraphLayout>(layout.take()) : nullptr;
    }));
}

void GraphView::showLayout(const appcore::GraphLayout& layout) {
    const int selected = selectedNode();
    const int edgeValue = selectedEdge_ >= 0 ? edges_[selectedEdge_].value : interstage::kNoValue;
    const QPointF centre = mapToScene(viewport()->rect().center());
    clearScene();
    buildScene(layout);
    shownGeneration_ = layoutGeneration_;
    pendingNode_ = -1;
    // The same node stays selected (no signal: it did not change).
    if (selected >= 0 && layoutOfNode_[static_cast<size_t>(selected)] >= 0) {
        selected_ = layoutOfNode_[static_cast<size_t>(selected)];
        applyMarks();
        centreOn(selected_);
    } else {
        for (int e = 0; e < edges_.size() && edgeValue != interstage::kNoValue; ++e)
            if (edges_[e].value == edgeValue) selectedEdge_ = e;
        applyMarks();
        if (focusGroup_ > appcore::GroupTree::kRoot)
            centreOnGroup(focusGroup_);
        else
            centerOn(centre);
    }
    emit layoutChanged();
}

void GraphView::centreOnGroup(int group) {
    for (const auto* frame : frames_) {
        if (frame->group() != group) continue;
        // A frame taller than the window: its header at the top.
        const QRectF r = frame->rect();
        const double visibleHeight = viewport()->height() / std::max(zoom(), 1e-6);
        centerOn(QPointF(r.center().x(), std::min(r.center().y(), r.top() + visibleHeight / 2 - 20)));
        return;
    }
    for (const NodeEntry& entry : nodes_) {
        if (entry.group == group) {
            centerOn(entry.item->rect().center());
            return;
        }
    }
}

void GraphView::setFocusGroup(int group) {
    if (!grouped_) return;
    focusGroup_ = group;
    const appcore::GroupTree& tree = grouped_->tree();
    QStringList parts{QStringLiteral("<a href=\"0\">%1</a>").arg(tr("graph"))};
    for (int g : tree.ancestorsOf(std::max(group, 0)))
        parts << QStringLiteral("<a href=\"%1\">%2</a>").arg(g).arg(tree.group(g).name.toHtmlEscaped());
    breadcrumb_->setText(parts.join(QStringLiteral(" › ")));
    breadcrumb_->adjustSize();
    breadcrumb_->show();
    breadcrumb_->raise();
}

QString GraphView::breadcrumb() const {
    if (!grouped_) return {};
    QStringList parts{tr("graph")};
    for (int g : grouped_->tree().ancestorsOf(std::max(focusGroup_, 0))) parts << grouped_->tree().group(g).name;
    return parts.join(QStringLiteral(" › "));
}

bool GraphView::isNodeShown(int nodeIndex) const {
    return nodeIndex >= 0 && static_cast<size_t>(nodeIndex) < layoutOfNode_.size() && layoutOfNode_[nodeIndex] >= 0;
}

int GraphView::shownGroupBoxes() const {
    int count = 0;
    for (const NodeEntry& entry : nodes_) count += entry.group >= 0 ? 1 : 0;
    return count;
}

int GraphView::groupAt(const QPoint& pos, bool* onMarker) const {
    *onMarker = false;
    const QPointF scenePos = mapToScene(pos);
    for (QGraphicsItem* item : items(pos)) {
        if (item->type() == graphitems::NodeType) {
            const auto* node = static_cast<graphitems::NodeItem*>(item);
            const NodeEntry& entry = nodes_[node->layoutIndex()];
            if (entry.group < 0) return -1;
            *onMarker = graphitems::expandMarkerRect(node->rect()).adjusted(-3, -3, 3, 3).contains(scenePos);
            return entry.group;
        }
        if (item->type() == graphitems::GroupFrameType) {
            const auto* frame = static_cast<graphitems::GroupFrameItem*>(item);
            *onMarker = frame->markerRect().adjusted(-3, -3, 3, 3).contains(scenePos);
            return frame->group();
        }
    }
    return -1;
}

void GraphView::mouseDoubleClickEvent(QMouseEvent* event) {
    bool onMarker = false;
    const int group = event->button() == Qt::LeftButton ? groupAt(event->pos(), &onMarker) : -1;
    if (group < 0) {
        QGraphicsView::mouseDoubleClickEvent(event);
        return;
    }
    // A collapsed box expands; an expanded frame collapses from its header
    // (a double-click on its body is most likely meant for what is inside).
    const bool expanded = expansion_.isOpen(group);
    if (expanded) {
        for (const auto* frame : frames_)
            if (frame->group() == group && !frame->headerRect().contains(mapToScene(event->pos()))) return;
    }
    // The marker was toggled by the first click's release already.
    if (!onMarker) setGroupExpanded(group, !expanded);
    event->accept();
}

}  // namespace widgets
