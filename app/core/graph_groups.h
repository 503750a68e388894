// Groups of a graph's drawn items by name scope: "/encoder/layer.3/attention/
// MatMul" sits in encoder > layer.3 > attention. Big models open with their
// groups collapsed into one box each; the view expands them on demand.
//
// A group is a kind of cluster. Name scopes are the first kind; control
// flow is the second (GroupKind::Subgraph), made from the IR instead of
// names: an If, Loop or Scan becomes a group holding its own box and one
// child group per body (an If's branches sit side by side in it), whose
// items are the body's nodes and markers. Nested control flow nests.
// Both kinds are laid out, collapsed and searched the same way.
#pragma once

#include <QString>
#include <QStringList>
#include <QVector>
#include <utility>
#include <vector>

namespace appcore {

enum class GroupKind {
    Root,       // the whole graph; always expanded
    NameScope,  // nodes whose names share a '/'-separated prefix
    Subgraph,   // control flow: a node with bodies, or one of its bodies
};

// A control-flow body for GroupTree::withBodies: its items (bodyOfItem)
// become a group inside the group of its owner item.
struct BodyScope {
    int owner = -1;     // the item of the If, Loop or Scan
    QString name;       // the attribute ("then_branch")
    QString ownerName;  // the owner's group name ("If_0")
};

struct Group {
    GroupKind kind = GroupKind::NameScope;
    QString name;  // the scope's last segment ("layer.3"); merged single-child chains join theirs ("pooler/dense")
    QString path;  // from the root, '/'-joined ("encoder/layer.3"); empty for the root
    int parent = -1;
    QVector<int> children;  // child groups, in the order of their first items
    QVector<int> items;     // items directly inside, ascending
    int itemCount = 0;      // all items below, children's included
    bool body = false;      // Subgraph: a body (else the group of the node that owns bodies)
};

class GroupTree {
public:
    static constexpr int kRoot = 0;

    // One name per item (a drawn node or marker). Segments before the last
    // '/' are scopes; a scope holding fewer than two items is no group (its
    // items stay with the parent), and a scope holding nothing but one
    // child scope is merged with it. Empty names sit at the root.
    static GroupTree fromNames(const QStringList& names);
    // fromNames() for the items outside bodies (bodyOfItem -1; the names
    // of body items are not read), then one Subgraph group per owner of
    // bodies, in the group its item sits in, holding that item and one
    // child group per body, in the order given. `bodies` lists a body
    // after the body its owner sits in; a body without items is no group.
    static GroupTree withBodies(const QStringList& names, const std::vector<BodyScope>& bodies,
                                const std::vector<int>& bodyOfItem);

    int groupCount() const { return static_cast<int>(groups_.size()); }
    int itemCount() const { return static_cast<int>(groupOfItem_.size()); }
    const Group& group(int g) const { return groups_[static_cast<size_t>(g)]; }
    int groupOf(int item) const { return groupOfItem_[static_cast<size_t>(item)]; }  // the innermost
    bool contains(int group, int item) const;
    int commonAncestor(int a, int b) const;
    // The child group of `ancestor` on the way down to `item`; -1 when the
    // item sits directly in `ancestor` (which must contain it).
    int childToward(int ancestor, int item) const;
    // Outermost first, the root excluded.
    QVector<int> ancestorsOf(int group) const;

private:
    int addSubgraphGroup(int parent, const QString& name, bool body);
    void finishCounts(int group);

    std::vector<Group> groups_;
    std::vector<int> groupOfItem_;
};

// Which groups are expanded: a value the view owns and copies to the
// layout worker. The root is always expanded.
class Expansion {
public:
    Expansion() = default;
    explicit Expansion(int groupCount, bool allOpen = false);

    bool isOpen(int group) const;
    void setOpen(int group, bool open);
    // Opens every group on the way to the item.
    void reveal(const GroupTree& tree, int item);
    // The collapsed group that stands for the item: its outermost closed
    // ancestor, or -1 when the item is drawn itself.
    int closedGroupHolding(const GroupTree& tree, int item) const;
    bool operator==(const Expansion& other) const { return open_ == other.open_; }

private:
    std::vector<char> open_;
};

// Models with more items than this open collapsed: dot needs seconds on
// dense graphs of a few hundred nodes, and nobody reads 1,000 boxes at once.
constexpr int kCollapseAboveItems = 300;
// A group that holds this share of its parent's items opens with it (a
// model that is all "encoder" shows the encoder's layers, not one box).
constexpr double kDominantShare = 0.8;

// A control-flow body with more items than this opens collapsed. Two
// branches of 40 boxes side by side are about 40 rows tall, already a few
// screens beside the one box the node was; bigger bodies (a decoder step,
// a whole network in a Loop) would push the graph around them out of
// sight, and their dot run would dominate the first picture.
constexpr int kCollapseBodyAbove = 40;

// Everything open up to kCollapseAboveItems items; beyond, the root's
// chain of dominant groups open and everything else collapsed. Either
// way, bodies beyond kCollapseBodyAbove items start collapsed.
Expansion initialExpansion(const GroupTree& tree);

// An end of a drawn edge: an item drawn itself, or the collapsed group
// drawn for it.
struct VisibleEnd {
    int item = -1;
    int group = -1;
    bool operator==(const VisibleEnd& o) const { return item == o.item && group == o.group; }
    bool operator<(const VisibleEnd& o) const { return std::pair(item, group) < std::pair(o.item, o.group); }
};

// The edges between items (tail, head) as drawn under an expansion: one per
// pair of distinct visible ends, listing the item edges it stands for.
// Edges inside one collapsed group disappear.
struct AggregatedEdge {
    VisibleEnd from;
    VisibleEnd to;
    QVector<int> edges;  // indices into the item edges, ascending
};
VisibleEnd visibleEnd(const GroupTree& tree, const Expansion& expansion, int item);
std::vector<AggregatedEdge> aggregateEdges(const GroupTree& tree, const Expansion& expansion,
                                           const std::vector<std::pair<int, int>>& itemEdges);

}  // namespace appcore
