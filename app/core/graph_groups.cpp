#include "core/graph_groups.h"

#include <algorithm>
#include <climits>
#include <map>

namespace appcore {
namespace {

// The scope tree as the names spell it, before small scopes are dissolved.
struct Scope {
    QString name;
    std::map<QString, int> byName;
    std::vector<int> children;
    std::vector<int> items;
    int count = 0;
    int firstItem = INT_MAX;
};

int countItems(std::vector<Scope>& scopes, int s) {
    Scope& scope = scopes[static_cast<size_t>(s)];
    int count = static_cast<int>(scope.items.size());
    int first = scope.items.empty() ? INT_MAX : scope.items.front();
    for (int child : scope.children) {
        count += countItems(scopes, child);
        first = std::min(first, scopes[static_cast<size_t>(child)].firstItem);
    }
    scope.count = count;  // no scope is added while counting: the reference holds
    scope.firstItem = first;
    return count;
}

void collectItems(const std::vector<Scope>& scopes, int s, QVector<int>& out) {
    const Scope& scope = scopes[static_cast<size_t>(s)];
    for (int item : scope.items) out.push_back(item);
    for (int child : scope.children) collectItems(scopes, child, out);
}

}  // namespace

GroupTree GroupTree::fromNames(const QStringList& names) {
    std::vector<Scope> scopes(1);
    for (int i = 0; i < names.size(); ++i) {
        const QStringList parts = names[i].split(QLatin1Char('/'), Qt::SkipEmptyParts);
        int s = 0;
        for (int p = 0; p + 1 < parts.size(); ++p) {
            auto it = scopes[static_cast<size_t>(s)].byName.find(parts[p]);
            if (it == scopes[static_cast<size_t>(s)].byName.end()) {
                const int created = static_cast<int>(scopes.size());
                scopes[static_cast<size_t>(s)].byName.emplace(parts[p], created);
                scopes[static_cast<size_t>(s)].children.push_back(created);
                scopes.push_back(Scope{parts[p], {}, {}, {}, 0, INT_MAX});
                s = created;
            } else {
                s = it->second;
            }
        }
        scopes[static_cast<size_t>(s)].items.push_back(i);
    }
    countItems(scopes, 0);

    GroupTree tree;
    tree.groupOfItem_.assign(static_cast<size_t>(names.size()), kRoot);
    // Emits scope s as a group under `parent` (its name prefixed when a
    // single-child chain is merged into it).
    auto addGroup = [&](auto&& self, int s, int parent, const QString& prefix) -> void {
        const Scope& scope = scopes[static_cast<size_t>(s)];
        QVector<int> direct(scope.items.begin(), scope.items.end());
        std::vector<int> kept;
        for (int child : scope.children) {
            if (scopes[static_cast<size_t>(child)].count < 2)
                collectItems(scopes, child, direct);
            else
                kept.push_back(child);
        }
        if (s != 0 && direct.isEmpty() && kept.size() == 1) {
            self(self, kept.front(), parent, prefix + scope.name + QLatin1Char('/'));
            return;
        }
        const int g = static_cast<int>(tree.groups_.size());
        Group group;
        group.kind = s == 0 ? GroupKind::Root : GroupKind::NameScope;
        group.name = s == 0 ? QString() : prefix + scope.name;
        group.parent = parent;
        if (parent >= 0) {
            const QString& parentPath = tree.groups_[static_cast<size_t>(parent)].path;
            group.path = parentPath.isEmpty() ? group.name : parentPath + QLatin1Char('/') + group.name;
        }
        std::sort(direct.begin(), direct.end());
        group.items = direct;
        group.itemCount = scope.count;
        tree.groups_.push_back(group);
        if (parent >= 0) tree.groups_[static_cast<size_t>(parent)].children.push_back(g);
        for (int item : direct) tree.groupOfItem_[static_cast<size_t>(item)] = g;
        std::sort(kept.begin(), kept.end(), [&](int a, int b) {
            return scopes[static_cast<size_t>(a)].firstItem < scopes[static_cast<size_t>(b)].firstItem;
        });
        for (int child : kept) self(self, child, g, QString());
    };
    addGroup(addGroup, 0, -1, QString());
    return tree;
}

int GroupTree::addSubgraphGroup(int parent, const QString& name, bool body) {
    const int g = static_cast<int>(groups_.size());
    Group group;
    group.kind = GroupKind::Subgraph;
    group.name = name;
    group.parent = parent;
    group.body = body;
    const QString& parentPath = groups_[static_cast<size_t>(parent)].path;
    group.path = parentPath.isEmpty() ? name : parentPath + QLatin1Char('/') + name;
    groups_.push_back(group);
    groups_[static_cast<size_t>(parent)].children.push_back(g);
    return g;
}

// Sorts each group's items and counts the items below it again, after
// withBodies() moved some.
void GroupTree::finishCounts(int group) {
    Group& g = groups_[static_cast<size_t>(group)];
    std::sort(g.items.begin(), g.items.end());
    int count = static_cast<int>(g.items.size());
    for (int child : g.children) {
        finishCounts(child);
        count += groups_[static_cast<size_t>(child)].itemCount;
    }
    groups_[static_cast<size_t>(group)].itemCount = count;
}

GroupTree GroupTree::withBodies(const QStringList& names, const std::vector<BodyScope>& bodies,
                                const std::vector<int>& bodyOfItem) {
    QStringList outside = names;
    for (int i = 0; i < outside.size(); ++i)
        if (static_cast<size_t>(i) < bodyOfItem.size() && bodyOfItem[static_cast<size_t>(i)] >= 0) outside[i].clear();
    GroupTree tree = fromNames(outside);
    if (bodies.empty()) return tree;
    // Body items sit at the root (their names were cleared); they move to
    // their bodies' groups below.
    std::vector<QVector<int>> itemsOf(bodies.size());
    for (int i = 0; i < names.size(); ++i) {
        const int b = static_cast<size_t>(i) < bodyOfItem.size() ? bodyOfItem[static_cast<size_t>(i)] : -1;
        if (b >= 0 && static_cast<size_t>(b) < bodies.size()) itemsOf[static_cast<size_t>(b)].push_back(i);
    }
    QVector<int>& rootItems = tree.groups_[kRoot].items;
    rootItems.erase(std::remove_if(rootItems.begin(), rootItems.end(),
                                   [&](int i) {
                                       return static_cast<size_t>(i) < bodyOfItem.size() &&
                                              bodyOfItem[static_cast<size_t>(i)] >= 0;
                                   }),
                    rootItems.end());
    std::map<int, int> groupOfOwner;
    for (size_t b = 0; b < bodies.size(); ++b) {
        const QVector<int>& items = itemsOf[b];
        const int owner = bodies[b].owner;
        if (items.isEmpty() || owner < 0 || owner >= names.size()) continue;
        auto it = groupOfOwner.find(owner);
        if (it == groupOfOwner.end()) {
            // The node's group takes the node's place: where its item was.
            const int parent = tree.groupOfItem_[static_cast<size_t>(owner)];
            QVector<int>& parentItems = tree.groups_[static_cast<size_t>(parent)].items;
            parentItems.removeAll(owner);
            const int g = tree.addSubgraphGroup(parent, bodies[b].ownerName, false);
            tree.groups_[static_cast<size_t>(g)].items = {owner};
            tree.groupOfItem_[static_cast<size_t>(owner)] = g;
            it = groupOfOwner.emplace(owner, g).first;
        }
        const int g = tree.addSubgraphGroup(it->second, bodies[b].name, true);
        tree.groups_[static_cast<size_t>(g)].items = items;
        for (int item : items) tree.groupOfItem_[static_cast<size_t>(item)] = g;
    }
    tree.finishCounts(kRoot);
    // Children in the order of their first items, as fromNames() orders them.
    std::vector<int> firstItem(tree.groups_.size(), INT_MAX);
    for (int item = tree.itemCount() - 1; item >= 0; --item)
        for (int g = tree.groupOf(item); g >= 0; g = tree.groups_[static_cast<size_t>(g)].parent)
            firstItem[static_cast<size_t>(g)] = std::min(firstItem[static_cast<size_t>(g)], item);
    for (Group& group : tree.groups_)
        std::stable_sort(group.children.begin(), group.children.end(), [&](int a, int b) {
            return firstItem[static_cast<size_t>(a)] < firstItem[static_cast<size_t>(b)];
        });
    return tree;
}

bool GroupTree::contains(int group, int item) const {
    for (int g = groupOf(item); g >= 0; g = groups_[static_cast<size_t>(g)].parent)
        if (g == group) return true;
    return false;
}

QVector<int> GroupTree::ancestorsOf(int group) const {
    QVector<int> chain;
    for (int g = group; g > kRoot; g = groups_[static_cast<size_t>(g)].parent) chain.prepend(g);
    return chain;
}

int GroupTree::commonAncestor(int a, int b) const {
    const QVector<int> ca = ancestorsOf(a);
    const QVector<int> cb = ancestorsOf(b);
    int common = kRoot;
    for (int i = 0; i < std::min(ca.size(), cb.size()) && ca[i] == cb[i]; ++i) common = ca[i];
    return common;
}

int GroupTree::childToward(int ancestor, int item) const {
    int g = groupOf(item);
    if (g == ancestor) return -1;
    while (g >= 0 && groups_[static_cast<size_t>(g)].parent != ancestor) g = groups_[static_cast<size_t>(g)].parent;
    return g;
}

Expansion::Expansion(int groupCount, bool allOpen) : open_(static_cast<size_t>(groupCount), allOpen ? 1 : 0) {
    if (!open_.empty()) open_[0] = 1;
}

bool Expansion::isOpen(int group) const {
    return group == GroupTree::kRoot || (group > 0 && static_cast<size_t>(group) < open_.size() && open_[group]);
}

void Expansion::setOpen(int group, bool open) {
    if (group <= GroupTree::kRoot || static_cast<size_t>(group) >= open_.size()) return;
    open_[static_cast<size_t>(group)] = open ? 1 : 0;
}

void Expansion::reveal(const GroupTree& tree, int item) {
    for (int g : tree.ancestorsOf(tree.groupOf(item))) setOpen(g, true);
}

int Expansion::closedGroupHolding(const GroupTree& tree, int item) const {
    for (int g : tree.ancestorsOf(tree.groupOf(item)))
        if (!isOpen(g)) return g;
    return -1;
}

namespace {

void collapseBigBodies(const GroupTree& tree, Expansion& expansion) {
    for (int g = 0; g < tree.groupCount(); ++g)
        if (tree.group(g).body && tree.group(g).itemCount > kCollapseBodyAbove) expansion.setOpen(g, false);
}

Expansion openDominantChain(const GroupTree& tree) {
    Expansion expansion(tree.groupCount(), false);
    int g = GroupTree::kRoot;
    while (true) {
        const Group& group = tree.group(g);
        int next = -1;
        for (int child : group.children)
            if (tree.group(child).itemCount >= kDominantShare * group.itemCount) next = child;
        if (next < 0) break;
        expansion.setOpen(next, true);
        g = next;
    }
    return expansion;
}

}  // namespace

Expansion initialExpansion(const GroupTree& tree) {
    Expansion expansion =
        tree.itemCount() <= kCollapseAboveItems ? Expansion(tree.groupCount(), true) : openDominantChain(tree);
    collapseBigBodies(tree, expansion);
    return expansion;
}

VisibleEnd visibleEnd(const GroupTree& tree, const Expansion& expansion, int item) {
    const int closed = expansion.closedGroupHolding(tree, item);
    return closed >= 0 ? VisibleEnd{-1, closed} : VisibleEnd{item, -1};
}

std::vector<AggregatedEdge> aggregateEdges(const GroupTree& tree, const Expansion& expansion,
                                           const std::vector<std::pair<int, int>>& itemEdges) {
    std::vector<AggregatedEdge> out;
    std::map<std::pair<VisibleEnd, VisibleEnd>, size_t> index;
    for (size_t e = 0; e < itemEdges.size(); ++e) {
        const VisibleEnd from = visibleEnd(tree, expansion, itemEdges[e].first);
        const VisibleEnd to = visibleEnd(tree, expansion, itemEdges[e].second);
        if (from == to) continue;
        auto [it, added] = index.emplace(std::pair(from, to), out.size());
        if (added) out.push_back({from, to, {}});
        out[it->second].edges.push_back(static_cast<int>(e));
    }
    return out;
}

}  // namespace appcore
