#include "core/grouped_layout.h"

#include <algorithm>

#include "core/dot_layout.h"

namespace appcore {

// A group's contents as one dot graph: its own items first, then its
// child groups, and the edges between those slots.
struct GroupedGraph::Level {
    int itemSlots = 0;
    std::vector<std::pair<int, int>> edges;  // slot indices, tail to head
};

struct GroupedGraph::LocalLayout {
    QSizeF size;
    std::vector<QRectF> rects;            // per slot, origin at the group's content corner
    std::vector<QVector<QPointF>> paths;  // per level edge
};

namespace {

QString summarize(const std::map<QString, int>& counts) {
    std::vector<std::pair<int, QString>> sorted;
    for (const auto& [op, n] : counts) sorted.emplace_back(-n, op);
    std::sort(sorted.begin(), sorted.end());
    QStringList parts;
    for (size_t i = 0; i < sorted.size() && i < 3; ++i)
        parts << QStringLiteral("%1 %2").arg(-sorted[i].first).arg(sorted[i].second);
    QString text = parts.join(QStringLiteral(" · "));
    if (sorted.size() > 3) text += QStringLiteral(" …");
    return text;
}

// The group of an If, Loop or Scan is named after the node ("If_0"),
// with its op in front when the name does not say it ("If · choose").
QString ownerGroupName(const GraphLayout& plan, int owner) {
    const LayoutNode& node = plan.nodes[owner];
    const QString name = node.subtitle.section(QLatin1Char('/'), -1, -1, QString::SectionSkipEmpty);
    if (name.isEmpty()) return node.title;
    return name.contains(node.title, Qt::CaseInsensitive) ? name : node.title + QStringLiteral(" · ") + name;
}

QSizeF frameSize(const QSizeF& inner) {
    return {inner.width() + 2 * kGroupFramePadding, inner.height() + kGroupFrameHeader + kGroupFramePadding};
}

// The frame of an expanded group, at least as wide as its header line
// ("then_branch  ·  3 nodes" and the collapse marker): a branch of one
// narrow box would otherwise cut its own name.
QSizeF openFrameSize(const Group& group, const QSizeF& inner) {
    LayoutNode header;
    header.title = group.name + QStringLiteral("  ·  %1 nodes").arg(group.itemCount);
    constexpr double kMarkerRoom = 24.0;
    const QSizeF size = frameSize(inner);
    return {std::max(size.width(), layoutNodeSize(header).width() + kMarkerRoom), size.height()};
}

}  // namespace

GroupedGraph::GroupedGraph(GraphLayout plan, bool nameScopes) : plan_(std::move(plan)) {
    QStringList names;
    std::vector<int> bodyOfItem;
    for (const LayoutNode& node : plan_.nodes) {
        names << (node.node >= 0 && nameScopes ? node.subtitle : QString());
        bodyOfItem.push_back(node.body);
    }
    std::vector<BodyScope> bodies;
    for (const LayoutBody& body : plan_.bodies)
        bodies.push_back({body.owner, body.name, ownerGroupName(plan_, body.owner)});
    tree_ = GroupTree::withBodies(names, bodies, bodyOfItem);

    const auto groupCount = static_cast<size_t>(tree_.groupCount());
    std::vector<std::map<QString, int>> ops(groupCount);
    for (int item = 0; item < tree_.itemCount(); ++item) {
        if (plan_.nodes[item].node < 0) continue;
        for (int g = tree_.groupOf(item); g >= 0; g = tree_.group(g).parent)
            ++ops[static_cast<size_t>(g)][plan_.nodes[item].title];
    }
    for (const auto& counts : ops) summaries_.push_back(summarize(counts));

    // Each item's slot in its own group, each group's slot in its parent's.
    std::vector<int> slotOfItem(static_cast<size_t>(tree_.itemCount()), -1);
    std::vector<int> slotOfGroup(groupCount, -1);
    std::vector<Level> levels(groupCount);
    for (size_t g = 0; g < groupCount; ++g) {
        const Group& group = tree_.group(static_cast<int>(g));
        levels[g].itemSlots = static_cast<int>(group.items.size());
        for (int i = 0; i < group.items.size(); ++i) slotOfItem[static_cast<size_t>(group.items[i])] = i;
        for (int c = 0; c < group.children.size(); ++c)
            slotOfGroup[static_cast<size_t>(group.children[c])] = levels[g].itemSlots + c;
    }
    auto slotIn = [&](int level, int item) {
        const int child = tree_.childToward(level, item);
        return child < 0 ? slotOfItem[static_cast<size_t>(item)] : slotOfGroup[static_cast<size_t>(child)];
    };
    std::vector<std::map<std::pair<int, int>, int>> edgeIndex(groupCount);
    for (const LayoutEdge& edge : plan_.edges) {
        const int level = tree_.commonAncestor(tree_.groupOf(edge.from), tree_.groupOf(edge.to));
        const std::pair<int, int> ends(slotIn(level, edge.from), slotIn(level, edge.to));
        auto& index = edgeIndex[static_cast<size_t>(level)];
        auto [it, added] = index.emplace(ends, static_cast<int>(levels[static_cast<size_t>(level)].edges.size()));
        if (added) levels[static_cast<size_t>(level)].edges.push_back(ends);
        levelEdgeOf_.emplace_back(level, it->second);
    }
    for (Level& level : levels) levels_.push_back(std::make_shared<const Level>(std::move(level)));
}

LayoutNode GroupedGraph::collapsedNode(int group) const {
    const Group& g = tree_.group(group);
    LayoutNode node;
    node.group = group;
    node.title = g.name;
    node.subtitle = QStringLiteral("%1 nodes").arg(g.itemCount);
    node.detail = summaries_[static_cast<size_t>(group)];
    QSizeF size = layoutNodeSize(node);
    // Room for the expand marker beside the title.
    node.rect.setSize(QSizeF(size.width() + 18.0, size.height()));
    return node;
}

interstage::Result<GroupedGraph::LocalPtr> GroupedGraph::layoutGroup(int group, const Expansion& expansion,
                                                                     const std::atomic<bool>* cancel,
                                                                     Layouts& done) const {
    const Group& g = tree_.group(group);
    const Level& level = *levels_[static_cast<size_t>(group)];
    DotInput input;
    std::vector<double> key;
    for (int item : g.items) {
        input.sizes.push_back(plan_.nodes[item].rect.size());
        input.rounded.push_back(plan_.nodes[item].node < 0);
    }
    for (int child : g.children) {
        QSizeF size;
        if (expansion.isOpen(child)) {
            IS_ASSIGN_OR_RETURN(LocalPtr inner, layoutGroup(child, expansion, cancel, done));
            size = openFrameSize(tree_.group(child), inner->size);
            key.insert(key.end(), {size.width(), size.height()});
        } else {
            size = collapsedNode(child).rect.size();
            key.insert(key.end(), {-1.0, -1.0});
        }
        input.sizes.push_back(size);
        input.rounded.push_back(false);
    }
    const auto cacheKey = std::pair(group, key);
    {
        std::lock_guard<std::mutex> lock(cacheMutex_);
        auto it = cache_.find(cacheKey);
        if (it != cache_.end()) {
            done[group] = it->second;
            return it->second;
        }
    }
    input.edges = level.edges;
    IS_ASSIGN_OR_RETURN(DotOutput placed, runDot(input, cancel));
    ++dotRuns_;
    auto local = std::make_shared<LocalLayout>();
    local->size = placed.bounds.size();
    local->rects = std::move(placed.rects);
    local->paths = std::move(placed.paths);
    LocalPtr result = local;
    {
        std::lock_guard<std::mutex> lock(cacheMutex_);
        cache_.emplace(cacheKey, result);
    }
    done[group] = result;
    return result;
}

void GroupedGraph::place(int group, const QPointF& origin, const Layouts& done, const Expansion& expansion,
                         GraphLayout& out, std::vector<int>& nodeOfItem, std::vector<int>& nodeOfGroup,
                         std::vector<QPointF>& originOf) const {
    const Group& g = tree_.group(group);
    const LocalLayout& local = *done.at(group);
    originOf[static_cast<size_t>(group)] = origin;
    for (int s = 0; s < static_cast<int>(local.rects.size()); ++s) {
        const QRectF rect = local.rects[static_cast<size_t>(s)].translated(origin);
        if (s < g.items.size()) {
            LayoutNode node = plan_.nodes[g.items[s]];
            node.rect = rect;
            nodeOfItem[static_cast<size_t>(g.items[s])] = static_cast<int>(out.nodes.size());
            out.nodes.push_back(std::move(node));
            continue;
        }
        const int child = g.children[s - g.items.size()];
        if (expansion.isOpen(child)) {
            const Group& c = tree_.group(child);
            out.groups.push_back({child, c.name, QStringLiteral("%1 nodes").arg(c.itemCount), rect});
            // Contents centred in a frame widened for its header.
            const double spare = rect.width() - frameSize(done.at(child)->size).width();
            place(child, rect.topLeft() + QPointF(kGroupFramePadding + spare / 2, kGroupFrameHeader), done, expansion,
                  out, nodeOfItem, nodeOfGroup, originOf);
        } else {
            LayoutNode node = collapsedNode(child);
            node.rect = rect;
            nodeOfGroup[static_cast<size_t>(child)] = static_cast<int>(out.nodes.size());
            out.nodes.push_back(std::move(node));
        }
    }
}

void GroupedGraph::addEdges(const Expansion& expansion, const Layouts& done, const std::vector<int>& nodeOfItem,
                            const std::vector<int>& nodeOfGroup, const std::vector<QPointF>& originOf,
                            GraphLayout& out) const {
    std::vector<std::pair<int, int>> itemEdges;
    itemEdges.reserve(static_cast<size_t>(plan_.edges.size()));
    for (const LayoutEdge& edge : plan_.edges) itemEdges.emplace_back(edge.from, edge.to);
    auto nodeOf = [&](const VisibleEnd& end) {
        return end.item >= 0 ? nodeOfItem[static_cast<size_t>(end.item)] : nodeOfGroup[static_cast<size_t>(end.group)];
    };
    for (const AggregatedEdge& agg : aggregateEdges(tree_, expansion, itemEdges)) {
        const LayoutEdge& first = plan_.edges[agg.edges.front()];
        const auto [level, index] = levelEdgeOf_[static_cast<size_t>(agg.edges.front())];
        LayoutEdge edge;
        edge.value = first.value;
        edge.from = nodeOf(agg.from);
        edge.to = nodeOf(agg.to);
        QVector<QPointF> route = done.at(level)->paths[static_cast<size_t>(index)];
        for (QPointF& p : route) p += originOf[static_cast<size_t>(level)];
        // An end inside an expanded group of this level: dot routed to the
        // group's frame; a straight piece goes on to the box itself.
        const int tailGroup = tree_.childToward(level, first.from);
        const int headGroup = tree_.childToward(level, first.to);
        const QRectF& tail = out.nodes[edge.from].rect;
        const QRectF& head = out.nodes[edge.to].rect;
        if (tailGroup >= 0 && expansion.isOpen(tailGroup))
            edge.path = straightCubic(QPointF(tail.center().x(), tail.bottom()), route.front());
        appendPath(edge.path, route);
        if (headGroup >= 0 && expansion.isOpen(headGroup))
            appendPath(edge.path, straightCubic(route.back(), QPointF(head.center().x(), head.top())));
        // One tensor read by several nodes inside a group is one arrow with its shape.
        std::vector<interstage::ValueId> values;
        for (int e : agg.edges) values.push_back(plan_.edges[e].value);
        std::sort(values.begin(), values.end());
        const auto distinct = std::unique(values.begin(), values.end()) - values.begin();
        edge.label = distinct == 1 ? first.label : QStringLiteral("%1 tensors").arg(distinct);
        edge.labelPos = edgeLabelAnchor(edge.path);
        out.edges.push_back(std::move(edge));
    }
}

interstage::Result<GraphLayout> GroupedGraph::layout(const Expansion& expansion,
                                                     const std::atomic<bool>* cancel) const {
    Layouts done;
    IS_ASSIGN_OR_RETURN(LocalPtr root, layoutGroup(GroupTree::kRoot, expansion, cancel, done));
    GraphLayout out;
    std::vector<int> nodeOfItem(static_cast<size_t>(tree_.itemCount()), -1);
    std::vector<int> nodeOfGroup(static_cast<size_t>(tree_.groupCount()), -1);
    std::vector<QPointF> originOf(static_cast<size_t>(tree_.groupCount()));
    place(GroupTree::kRoot, QPointF(0, 0), done, expansion, out, nodeOfItem, nodeOfGroup, originOf);
    addEdges(expansion, done, nodeOfItem, nodeOfGroup, originOf, out);
    out.bounds = QRectF(QPointF(0, 0), root->size);
    return out;
}

}  // namespace appcore
