// Groups by name scope (appcore::GroupTree), the expansion state, edges
// aggregated between what is drawn, and the grouped layout's per-group
// cache: expanding one group runs dot for it and its ancestors only.
// Control-flow bodies as Subgraph groups, from a hand-built If and Loop.
#include <QtTest>
#include <set>

#include "core/graph_groups.h"
#include "core/graph_layout.h"
#include "core/grouped_layout.h"
#include "core/model_document.h"
#include "test_support.h"

using namespace appcore;

namespace {

// Items as an exporter names them; the last segment is the node's own name.
const QStringList kNames{
    "/encoder/layer.0/attention/MatMul",   // 0
    "/encoder/layer.0/attention/Softmax",  // 1
    "/encoder/layer.0/Add",                // 2
    "/encoder/layer.1/attention/MatMul",   // 3
    "/encoder/layer.1/attention/Softmax",  // 4
    "/encoder/layer.1/Add",                // 5
    "/pooler/dense/MatMul",                // 6
    "/pooler/dense/Add",                   // 7
    "/head/Gemm",                          // 8: alone in its scope
    "Output",                              // 9: no scope
};
const std::vector<std::pair<int, int>> kEdges{{0, 1}, {1, 2}, {2, 3}, {2, 5}, {3, 4},
                                              {4, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}};

int groupByPath(const GroupTree& tree, const QString& path) {
    for (int g = 0; g < tree.groupCount(); ++g)
        if (tree.group(g).path == path) return g;
    return -1;
}

GraphLayout planOf(const QStringList& names, const std::vector<std::pair<int, int>>& edges) {
    GraphLayout plan;
    for (int i = 0; i < names.size(); ++i) {
        LayoutNode node;
        node.node = i;
        node.title = names[i].section('/', -1);
        node.subtitle = names[i];
        node.rect = QRectF(0, 0, 90, 40);
        plan.nodes.push_back(node);
    }
    for (const auto& [from, to] : edges) {
        LayoutEdge edge;
        edge.value = to;
        edge.from = from;
        edge.to = to;
        plan.edges.push_back(edge);
    }
    return plan;
}

// The plan item of a node (by name) or of a marker (by tensor name and body).
int itemNamed(const GraphLayout& plan, const QString& name) {
    for (int i = 0; i < plan.nodes.size(); ++i)
        if (plan.nodes[i].node >= 0 && plan.nodes[i].subtitle == name) return i;
    return -1;
}
int markerNamed(const GraphLayout& plan, const QString& name, const QString& title) {
    for (int i = 0; i < plan.nodes.size(); ++i)
        if (plan.nodes[i].node < 0 && plan.nodes[i].subtitle == name && plan.nodes[i].title == title) return i;
    return -1;
}
bool hasEdge(const GraphLayout& plan, int from, int to) {
    for (const LayoutEdge& edge : plan.edges)
        if (edge.from == from && edge.to == to) return true;
    return false;
}

const LayoutGroup* frameOf(const GraphLayout& layout, int group) {
    for (const LayoutGroup& frame : layout.groups)
        if (frame.group == group) return &frame;
    return nullptr;
}

}  // namespace

class GraphGroupsTest : public QObject {
    Q_OBJECT
private slots:
    void scopesComeFromNames() {
        const GroupTree tree = GroupTree::fromNames(kNames);
        const int encoder = groupByPath(tree, "encoder");
        const int layer0 = groupByPath(tree, "encoder/layer.0");
        const int attention0 = groupByPath(tree, "encoder/layer.0/attention");
        QVERIFY(encoder > 0 && layer0 > 0 && attention0 > 0);
        QCOMPARE(tree.group(layer0).name, QString("layer.0"));
        QCOMPARE(tree.group(layer0).parent, encoder);
        QCOMPARE(tree.group(encoder).itemCount, 6);
        QCOMPARE(tree.group(attention0).items, (QVector<int>{0, 1}));
        QCOMPARE(tree.groupOf(2), layer0);
        QCOMPARE(tree.group(GroupTree::kRoot).itemCount, kNames.size());
        QVERIFY(tree.contains(encoder, 4));
        QVERIFY(!tree.contains(layer0, 4));
        QCOMPARE(tree.commonAncestor(attention0, groupByPath(tree, "encoder/layer.1")), encoder);
        QCOMPARE(tree.childToward(encoder, 1), layer0);
        QCOMPARE(tree.childToward(layer0, 2), -1);
    }

    void singleNodeScopesAreNoGroups() {
        const GroupTree tree = GroupTree::fromNames(kNames);
        QCOMPARE(groupByPath(tree, "head"), -1);
        QCOMPARE(tree.groupOf(8), GroupTree::kRoot);
        QCOMPARE(tree.groupOf(9), GroupTree::kRoot);
        // A scope holding only one other scope is merged with it.
        QCOMPARE(groupByPath(tree, "pooler"), -1);
        const int pooler = groupByPath(tree, "pooler/dense");
        QVERIFY(pooler > 0);
        QCOMPARE(tree.group(pooler).name, QString("pooler/dense"));
        // root, encoder, layer.0, attention, layer.1, attention, pooler/dense
        QCOMPARE(tree.groupCount(), 7);
        // No scopes at all: the root alone.
        QCOMPARE(GroupTree::fromNames({"Conv_0", "Relu_1", "a/b"}).groupCount(), 1);
    }

    void edgesAggregateBetweenVisibleEnds() {
        const GroupTree tree = GroupTree::fromNames(kNames);
        Expansion expansion(tree.groupCount());
        const int encoder = groupByPath(tree, "encoder");
        const int layer0 = groupByPath(tree, "encoder/layer.0");
        const int layer1 = groupByPath(tree, "encoder/layer.1");
        const int pooler = groupByPath(tree, "pooler/dense");
        // All collapsed: encoder -> pooler/dense -> Gemm -> Output.
        std::vector<AggregatedEdge> edges = aggregateEdges(tree, expansion, kEdges);
        QCOMPARE(edges.size(), size_t(3));
        QCOMPARE(edges[0].from, (VisibleEnd{-1, encoder}));
        QCOMPARE(edges[0].to, (VisibleEnd{-1, pooler}));
        QCOMPARE(edges[0].edges, (QVector<int>{6}));

        // Encoder open: layer.0 -> layer.1 stands for the two item edges 2->3 and 2->5.
        expansion.setOpen(encoder, true);
        edges = aggregateEdges(tree, expansion, kEdges);
        QCOMPARE(edges.size(), size_t(4));
        QCOMPARE(edges[0].from, (VisibleEnd{-1, layer0}));
        QCOMPARE(edges[0].to, (VisibleEnd{-1, layer1}));
        QCOMPARE(edges[0].edges, (QVector<int>{2, 3}));

        // Everything open: one drawn edge per item edge.
        for (int g = 0; g < tree.groupCount(); ++g) expansion.setOpen(g, true);
        QCOMPARE(aggregateEdges(tree, expansion, kEdges).size(), kEdges.size());
    }

    void expansionState() {
        const GroupTree tree = GroupTree::fromNames(kNames);
        const int encoder = groupByPath(tree, "encoder");
        const int layer1 = groupByPath(tree, "encoder/layer.1");
        const int attention1 = groupByPath(tree, "encoder/layer.1/attention");
        Expansion expansion(tree.groupCount());
        QVERIFY(expansion.isOpen(GroupTree::kRoot));
        expansion.setOpen(GroupTree::kRoot, false);  // the root stays open
        QVERIFY(expansion.isOpen(GroupTree::kRoot));
        QCOMPARE(expansion.closedGroupHolding(tree, 4), encoder);
        QCOMPARE(expansion.closedGroupHolding(tree, 9), -1);
        expansion.reveal(tree, 4);
        QVERIFY(expansion.isOpen(encoder) && expansion.isOpen(layer1) && expansion.isOpen(attention1));
        QVERIFY(!expansion.isOpen(groupByPath(tree, "encoder/layer.0")));
        QCOMPARE(expansion.closedGroupHolding(tree, 4), -1);
        expansion.setOpen(layer1, false);
        QCOMPARE(expansion.closedGroupHolding(tree, 4), layer1);
        QCOMPARE(visibleEnd(tree, expansion, 4), (VisibleEnd{-1, layer1}));
    }

    void bigModelsOpenCollapsed() {
        // Small: everything open.
        const GroupTree small = GroupTree::fromNames(kNames);
        const Expansion open = initialExpansion(small);
        for (int g = 0; g < small.groupCount(); ++g) QVERIFY(open.isOpen(g));

        // Big: "model" holds nearly everything, so it opens; its blocks stay closed.
        QStringList names{"input_proj"};
        for (int block = 0; block < 60; ++block)
            for (const char* op : {"MatMul", "Add", "Relu", "Mul", "Sub", "Div"})
                names << QStringLiteral("/model/block.%1/%2").arg(block).arg(op);
        QVERIFY(names.size() > kCollapseAboveItems);
        const GroupTree big = GroupTree::fromNames(names);
        const Expansion start = initialExpansion(big);
        QVERIFY(start.isOpen(groupByPath(big, "model")));
        QVERIFY(!start.isOpen(groupByPath(big, "model/block.0")));
        QCOMPARE(start.closedGroupHolding(big, 1), groupByPath(big, "model/block.0"));
    }

    void expandingRelaysOutOnlyTheGroupAndItsAncestors() {
        GroupedGraph grouped(planOf(kNames, kEdges));
        const GroupTree& tree = grouped.tree();
        const int encoder = groupByPath(tree, "encoder");
        const int layer0 = groupByPath(tree, "encoder/layer.0");
        const int layer1 = groupByPath(tree, "encoder/layer.1");
        const int attention1 = groupByPath(tree, "encoder/layer.1/attention");
        QVERIFY(grouped.opSummary(encoder).contains("2 MatMul"));

        Expansion expansion(tree.groupCount());
        expansion.setOpen(encoder, true);
        auto first = grouped.layout(expansion);
        QVERIFY2(first.ok(), first.status().toString().c_str());
        QCOMPARE(first->groups.size(), 1);  // the encoder's frame
        int boxes = 0;
        for (const LayoutNode& node : first->nodes) boxes += node.group >= 0 ? 1 : 0;
        QCOMPARE(boxes, 3);  // layer.0, layer.1, pooler/dense
        const int runs = grouped.dotRuns();
        QCOMPARE(runs, 2);  // the encoder's contents, the root's

        expansion.setOpen(layer0, true);
        expansion.setOpen(layer1, true);
        QVERIFY(grouped.layout(expansion).ok());
        const int both = grouped.dotRuns();
        QCOMPARE(both - runs, 4);  // layer.0, layer.1, encoder, root

        // Opening attention inside layer.1: layer.0's layout comes from the cache.
        expansion.setOpen(attention1, true);
        auto deep = grouped.layout(expansion);
        QVERIFY(deep.ok());
        const int deepRuns = grouped.dotRuns();
        QCOMPARE(deepRuns - both, 4);  // attention, layer.1, encoder, root

        // Every drawn box lies inside the frames of the groups that hold it.
        for (const LayoutNode& node : deep->nodes) {
            if (node.node < 0) continue;
            for (const LayoutGroup& frame : deep->groups)
                if (tree.contains(frame.group, node.node)) QVERIFY(frame.rect.contains(node.rect));
        }
        // Ten item edges; 0->1 lies inside the closed layer.0/attention and
        // 6->7 inside the closed pooler/dense: eight drawn.
        QCOMPARE(deep->edges.size(), 8);

        // Collapsing again: the first picture, from the cache alone.
        expansion.setOpen(attention1, false);
        expansion.setOpen(layer0, false);
        expansion.setOpen(layer1, false);
        auto again = grouped.layout(expansion);
        QVERIFY(again.ok());
        QCOMPARE(grouped.dotRuns(), deepRuns);
        QCOMPARE(again->nodes.size(), first->nodes.size());
        QCOMPARE(again->bounds, first->bounds);
    }

    void controlFlowBodiesAreSubgraphGroups() {
        const interstage::Model model = testsupport::builtModel(testsupport::controlFlowModel());
        const interstage::Graph& graph = model.graph;
        GroupedGraph grouped(planLayout(graph), false);
        const GroupTree& tree = grouped.tree();
        const GraphLayout& plan = grouped.plan();

        // The If is a group holding its own box and one group per branch, in order.
        const int choose = groupByPath(tree, "If · choose");
        QVERIFY(choose > 0);
        QCOMPARE(tree.group(choose).kind, GroupKind::Subgraph);
        QVERIFY(!tree.group(choose).body);
        QCOMPARE(tree.group(choose).items, QVector<int>{itemNamed(plan, "choose")});
        QCOMPARE(tree.group(choose).children.size(), 2);
        const int thenBranch = tree.group(choose).children[0];
        const int elseBranch = tree.group(choose).children[1];
        QCOMPARE(tree.group(thenBranch).name, QStringLiteral("then_branch"));
        QCOMPARE(tree.group(elseBranch).name, QStringLiteral("else_branch"));
        QVERIFY(tree.group(thenBranch).body && tree.group(elseBranch).body);
        QCOMPARE(tree.groupOf(itemNamed(plan, "then_relu")), thenBranch);
        QCOMPARE(tree.groupOf(itemNamed(plan, "then_add")), thenBranch);
        QCOMPARE(tree.groupOf(itemNamed(plan, "else_neg2")), elseBranch);
        QCOMPARE(tree.group(thenBranch).itemCount, 3);  // Relu, Add, the output marker
        QCOMPARE(tree.group(choose).itemCount, 1 + 3 + 4);

        // Nested: the Loop's body holds the inner If with its two branches.
        const int inner = groupByPath(tree, "Loop · repeat/body/If · inner");
        QVERIFY(inner > 0);
        QCOMPARE(tree.group(inner).children.size(), 2);
        QCOMPARE(tree.groupOf(itemNamed(plan, "inner_tanh")), tree.group(inner).children[1]);
        QCOMPARE(tree.groupOf(itemNamed(plan, "step_sum")), groupByPath(tree, "Loop · repeat/body"));
        QCOMPARE(tree.groupOf(itemNamed(plan, "post")), int(GroupTree::kRoot));

        // Body nodes are numbered after the main graph's, each once.
        std::set<int> numbers;
        for (const LayoutNode& node : plan.nodes) {
            if (node.node < 0) continue;
            QVERIFY(numbers.insert(node.node).second);
            QCOMPARE(node.body >= 0, node.node >= int(graph.nodes.size()));
        }

        // Values read from outside are edges into the body (pre into the
        // then branch, the Loop body's s into the inner If's branches),
        // not into the If; a body's results feed its node.
        const int pre = itemNamed(plan, "pre");
        QVERIFY(hasEdge(plan, pre, itemNamed(plan, "then_relu")));
        QVERIFY(hasEdge(plan, pre, itemNamed(plan, "else_neg0")));
        QVERIFY(!hasEdge(plan, pre, itemNamed(plan, "choose")));
        QVERIFY(hasEdge(plan, markerNamed(plan, "s", "input"), itemNamed(plan, "inner_tanh")));
        QVERIFY(hasEdge(plan, markerNamed(plan, "then_add", "output"), itemNamed(plan, "choose")));
        QVERIFY(hasEdge(plan, itemNamed(plan, "choose"), itemNamed(plan, "post")));

        // Collapsed, the If is one box where the node was: pre and c go into it.
        Expansion closed(tree.groupCount(), true);
        closed.setOpen(choose, false);
        QCOMPARE(visibleEnd(tree, closed, itemNamed(plan, "then_relu")), (VisibleEnd{-1, choose}));
        QCOMPARE(visibleEnd(tree, closed, itemNamed(plan, "choose")), (VisibleEnd{-1, choose}));
    }

    void thenBranchComesFirstWhateverTheFileOrder() {
        // PyTorch writes attributes sorted by name: else_branch first.
        interstage::GraphBuilder g("sorted_attributes");
        g.input("x", interstage::DataType::Float, {1, 4});
        g.input("c", interstage::DataType::Bool, {1});
        g.node("If", {"c"}, {}, 1, "choose");
        interstage::GraphBuilder then("then_side"), otherwise("else_side");
        then.op("Relu", {"x"}, {}, "then_relu");
        then.output("then_relu", interstage::DataType::Float, {1, 4});
        otherwise.op("Neg", {"x"}, {}, "else_neg");
        otherwise.output("else_neg", interstage::DataType::Float, {1, 4});
        g.subgraph("choose", "else_branch", otherwise);
        g.subgraph("choose", "then_branch", then);
        g.output("choose");
        const interstage::Model model = testsupport::builtModel(g);
        GroupedGraph grouped(planLayout(model.graph), false);
        const Group& choose = grouped.tree().group(groupByPath(grouped.tree(), "If · choose"));
        QCOMPARE(choose.children.size(), 2);
        QCOMPARE(grouped.tree().group(choose.children[0]).name, QStringLiteral("then_branch"));
        QCOMPARE(grouped.tree().group(choose.children[1]).name, QStringLiteral("else_branch"));
    }

    void expandedBranchesSitSideBySide() {
        const interstage::Model model = testsupport::builtModel(testsupport::controlFlowModel());
        GroupedGraph grouped(planLayout(model.graph), false);
        const GroupTree& tree = grouped.tree();
        const Expansion expansion = initialExpansion(tree);
        for (int g = 0; g < tree.groupCount(); ++g) QVERIFY(expansion.isOpen(g));  // small bodies open
        auto layout = grouped.layout(expansion);
        QVERIFY2(layout.ok(), layout.status().toString().c_str());

        for (const QString& path : {QStringLiteral("If · choose"), QStringLiteral("Loop · repeat/body/If · inner")}) {
            const int owner = groupByPath(tree, path);
            const LayoutGroup* thenFrame = frameOf(layout.value(), groupByPath(tree, path + "/then_branch"));
            const LayoutGroup* elseFrame = frameOf(layout.value(), groupByPath(tree, path + "/else_branch"));
            QVERIFY(frameOf(layout.value(), owner) && thenFrame && elseFrame);
            QVERIFY(!thenFrame->rect.intersects(elseFrame->rect));
            QVERIFY(thenFrame->rect.left() < elseFrame->rect.left());
            // Side by side: their heights overlap.
            QVERIFY(thenFrame->rect.top() < elseFrame->rect.bottom() &&
                    elseFrame->rect.top() < thenFrame->rect.bottom());
            QVERIFY(frameOf(layout.value(), owner)->rect.contains(thenFrame->rect));
        }
        // A frame is wide enough for its header, even around one narrow box.
        for (const LayoutGroup& frame : layout->groups) {
            LayoutNode header;
            header.title = frame.title + QStringLiteral("  ·  ") + frame.detail;
            QVERIFY2(frame.rect.width() >= layoutNodeSize(header).width(), qPrintable(frame.title));
        }
        // Every drawn box lies inside the frames of the groups that hold it.
        const GraphLayout& plan = grouped.plan();
        for (const LayoutNode& node : layout->nodes) {
            int item = -1;
            for (int i = 0; i < plan.nodes.size() && item < 0; ++i)
                if (plan.nodes[i].node == node.node && plan.nodes[i].subtitle == node.subtitle &&
                    plan.nodes[i].body == node.body)
                    item = i;
            QVERIFY(item >= 0);
            for (const LayoutGroup& frame : layout->groups)
                if (tree.contains(frame.group, item)) QVERIFY(frame.rect.contains(node.rect));
        }
    }

    void bigBodiesOpenCollapsed() {
        const interstage::Model model = testsupport::builtModel(testsupport::controlFlowModel(kCollapseBodyAbove + 5));
        GroupedGraph grouped(planLayout(model.graph), false);
        const GroupTree& tree = grouped.tree();
        const Expansion expansion = initialExpansion(tree);
        const int elseBranch = groupByPath(tree, "If · choose/else_branch");
        QVERIFY(tree.group(elseBranch).itemCount > kCollapseBodyAbove);
        QVERIFY(!expansion.isOpen(elseBranch));
        QVERIFY(expansion.isOpen(groupByPath(tree, "If · choose")));
        QVERIFY(expansion.isOpen(groupByPath(tree, "If · choose/then_branch")));
        auto layout = grouped.layout(expansion);
        QVERIFY(layout.ok());
        int boxes = 0;
        for (const LayoutNode& node : layout->nodes) boxes += node.group == elseBranch ? 1 : 0;
        QCOMPARE(boxes, 1);
    }

    void smallModelsWithControlFlowOpenGrouped() {
        QTemporaryDir dir;
        const QString withIf = dir.filePath("if.onnx");
        const QString plain = dir.filePath("plain.onnx");
        QVERIFY(testsupport::controlFlowModel().save(withIf.toStdString()).isOk());
        QVERIFY(testsupport::tinyChain().save(plain.toStdString()).isOk());
        auto doc = loadDocument(withIf, {});
        QVERIFY2(doc.ok(), doc.status().toString().c_str());
        QVERIFY(doc.value()->grouped);
        const GroupTree& tree = doc.value()->grouped->tree();
        QVERIFY(groupByPath(tree, "If · choose") > 0);
        for (int g = 1; g < tree.groupCount(); ++g) QCOMPARE(tree.group(g).kind, GroupKind::Subgraph);
        QVERIFY(!doc.value()->layout.groups.isEmpty());  // the bodies' frames
        auto flat = loadDocument(plain, {});
        QVERIFY(flat.ok());
        QVERIFY(!flat.value()->grouped);  // no control flow: drawn flat as before
    }

    void cancelledLayoutStops() {
        GroupedGraph grouped(planOf(kNames, kEdges));
        std::atomic<bool> cancel{true};
        auto layout = grouped.layout(Expansion(grouped.tree().groupCount()), &cancel);
        QVERIFY(!layout.ok());
        QCOMPARE(layout.status().code(), interstage::StatusCode::Cancelled);
    }
};

QTEST_GUILESS_MAIN(GraphGroupsTest)
#include "test_graph_groups.moc"
