// The layout of a graph whose groups (graph_groups.h) may be collapsed:
// each expanded group's contents are laid out on their own by dot (a
// cluster), with its expanded children as boxes of their own layout's size,
// and placed inside its frame. Layouts are cached per group and per the
// sizes of its expanded children, so expanding one group runs dot for that
// group and its ancestors only; its siblings come from the cache.
#pragma once

#include <QString>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/graph_groups.h"
#include "core/graph_layout.h"

namespace appcore {

// Frame metrics of an expanded group (the view draws the same).
constexpr double kGroupFramePadding = 14.0;
constexpr double kGroupFrameHeader = 26.0;

class GroupedGraph {
public:
    // `plan` as planLayout() makes it: sized boxes and their edges. Groups
    // come from name scopes (unless `nameScopes` is false) and from the
    // plan's control-flow bodies.
    explicit GroupedGraph(GraphLayout plan, bool nameScopes = true);

    const GroupTree& tree() const { return tree_; }
    const GraphLayout& plan() const { return plan_; }
    // "12 MatMul · 8 Add · 4 Reshape …": the group's commonest ops.
    const QString& opSummary(int group) const { return summaries_[static_cast<size_t>(group)]; }

    // The layout of what `expansion` shows: visible items, collapsed groups
    // as nodes (LayoutNode::group), expanded groups as frames, edges
    // aggregated between visible ends. Thread-safe. `cancel` is checked
    // before each group's dot run (Cancelled status).
    interstage::Result<GraphLayout> layout(const Expansion& expansion, const std::atomic<bool>* cancel = nullptr) const;

    // How many dot runs this graph's layouts made (tests: the cache works).
    int dotRuns() const { return dotRuns_.load(); }

private:
    struct Level;
    struct LocalLayout;
    using LocalPtr = std::shared_ptr<const LocalLayout>;
    using Layouts = std::map<int, LocalPtr>;

    interstage::Result<LocalPtr> layoutGroup(int group, const Expansion& expansion, const std::atomic<bool>* cancel,
                                             Layouts& done) const;
    LayoutNode collapsedNode(int group) const;
    void place(int group, const QPointF& origin, const Layouts& done, const Expansion& expansion, GraphLayout& out,
               std::vector<int>& nodeOfItem, std::vector<int>& nodeOfGroup, std::vector<QPointF>& originOf) const;
    void addEdges(const Expansion& expansion, const Layouts& done, const std::vector<int>& nodeOfItem,
                  const std::vector<int>& nodeOfGroup, const std::vector<QPointF>& originOf, GraphLayout& out) const;

    GraphLayout plan_;
    GroupTree tree_;
    std::vector<QString> summaries_;
    std::vector<std::shared_ptr<const Level>> levels_;  // per group: its slots and the edges between them
    std::vector<std::pair<int, int>> levelEdgeOf_;      // per plan edge: (group, index of its level edge)

    mutable std::mutex cacheMutex_;
    mutable std::map<std::pair<int, std::vector<double>>, LocalPtr> cache_;
    mutable std::atomic<int> dotRuns_{0};
};

}  // namespace appcore
