// The graph layout (Graphviz dot through libgvc) and the graph view: one
// box per drawn node, routed edges, no overlaps, search, selection and the
// colour modes, on U^2-Net-P (681 nodes, long skip connections).
#include <QElapsedTimer>
#include <QFuture>
#include <QGraphicsItem>
#include <QImage>
#include <QSignalSpy>
#include <QtConcurrent>
#include <QtTest>
#include <set>

#include "core/graph_layout.h"
#include "core/grouped_layout.h"
#include "interstage/model.h"
#include "interstage/zoo.h"
#include "test_support.h"
#include "widgets/graph_items.h"
#include "widgets/graph_view.h"

using namespace interstage;

namespace {

Graph u2netpGraph() {
    auto bytes = buildZooModel("u2netp");
    if (!bytes.ok()) qFatal("%s", bytes.status().toString().c_str());
    auto model = loadModelFromBytes(bytes.value(), ".");
    if (!model.ok()) qFatal("%s", model.status().toString().c_str());
    auto report = resolveShapes(model->graph, {});
    if (!report.ok()) qFatal("%s", report.status().toString().c_str());
    return model->graph;
}

// Distance from a point to a rectangle's outline (0 on it).
double distanceToOutline(const QRectF& r, const QPointF& p) {
    const double dx = std::max({r.left() - p.x(), 0.0, p.x() - r.right()});
    const double dy = std::max({r.top() - p.y(), 0.0, p.y() - r.bottom()});
    if (dx > 0 || dy > 0) return std::hypot(dx, dy);
    return std::min({p.x() - r.left(), r.right() - p.x(), p.y() - r.top(), r.bottom() - p.y()});
}

// Whether an edge's end lies on a node's outline: the box, or the ellipse
// Graphviz clips input/output markers to.
bool endsOnOutline(const appcore::LayoutNode& node, const QPointF& p) {
    if (node.node >= 0) return distanceToOutline(node.rect, p) < 3.0;
    const QPointF c = node.rect.center();
    const double rx = (p.x() - c.x()) / (node.rect.width() / 2);
    const double ry = (p.y() - c.y()) / (node.rect.height() / 2);
    return std::abs(std::hypot(rx, ry) - 1.0) < 0.1;
}

}  // namespace

class GraphViewTest : public QObject {
    Q_OBJECT

    Graph graph_;
    appcore::GraphLayout layout_;

private slots:
    void initTestCase() {
        graph_ = u2netpGraph();
        QElapsedTimer timer;
        timer.start();
        auto layout = appcore::layoutGraph(graph_);
        QVERIFY2(layout.ok(), layout.status().toString().c_str());
        qInfo("u2netp layout: %lld ms for %d nodes, %d edges", static_cast<long long>(timer.elapsed()),
              static_cast<int>(layout->nodes.size()), static_cast<int>(layout->edges.size()));
        layout_ = layout.take();
    }

    void oneLayoutNodePerDrawnNodePlusMarkers() {
        int drawn = 0;
        for (const Node& node : graph_.nodes)
            if (node.opType != "Constant") ++drawn;
        const int markers = static_cast<int>(graph_.runtimeInputs().size() + graph_.outputs.size());
        QCOMPARE(layout_.nodes.size(), drawn + markers);

        std::set<int> seen;
        int inputs = 0;
        int outputs = 0;
        for (const appcore::LayoutNode& node : layout_.nodes) {
            QVERIFY(!node.title.isEmpty());
            QVERIFY(node.rect.width() > 0 && node.rect.height() > 0);
            QVERIFY(layout_.bounds.adjusted(-1, -1, 1, 1).contains(node.rect));
            if (node.node < 0) {
                QVERIFY(node.value != kNoValue);
                (node.title == "input" ? inputs : outputs) += 1;
                continue;
            }
            QVERIFY2(seen.insert(node.node).second, "a graph node drawn twice");
            QVERIFY(graph_.nodes[static_cast<size_t>(node.node)].opType != "Constant");
        }
        QCOMPARE(inputs, 1);
        QCOMPARE(outputs, static_cast<int>(graph_.outputs.size()));
    }

    void everyEdgeIsRoutedBetweenItsNodes() {
        QVERIFY(!layout_.edges.isEmpty());
        for (const appcore::LayoutEdge& edge : layout_.edges) {
            QVERIFY(edge.from >= 0 && edge.from < layout_.nodes.size());
            QVERIFY(edge.to >= 0 && edge.to < layout_.nodes.size());
            QVERIFY2(edge.path.size() >= 4, qPrintable(edge.label));
            QCOMPARE((edge.path.size() - 1) % 3, 0);
            // Tail to head, ending on the outlines (dot clips there).
            QVERIFY(endsOnOutline(layout_.nodes[edge.from], edge.path.front()));
            QVERIFY(endsOnOutline(layout_.nodes[edge.to], edge.path.back()));
            QVERIFY(edge.path.front().y() < edge.path.back().y());  // top to bottom
            QVERIFY(!edge.label.isEmpty());                         // shapes are resolved
        }
        // The first conv's output (stage 1 widens 3 channels to 64).
        bool found = false;
        for (const appcore::LayoutEdge& edge : layout_.edges)
            found = found || edge.label == QStringLiteral("1x64x320x320 · 25.0 MiB");
        QVERIFY(found);
    }

    void nodeRectsDoNotOverlap() {
        for (int i = 0; i < layout_.nodes.size(); ++i)
            for (int j = i + 1; j < layout_.nodes.size(); ++j)
                QVERIFY2(!layout_.nodes[i].rect.intersects(layout_.nodes[j].rect),
                         qPrintable(layout_.nodes[i].subtitle + " / " + layout_.nodes[j].subtitle));
    }

    void detailsNameKeyAttributes() {
        QSet<QString> details;
        for (const appcore::LayoutNode& node : layout_.nodes) details.insert(node.title + ": " + node.detail);
        QVERIFY(details.contains("Conv: 3x3 s1 p1"));
        QVERIFY(details.contains("Conv: 3x3 s1 p2 d2"));  // the dilated convs in the RSU blocks
        QVERIFY(details.contains("MaxPool: 2x2 s2 p0 ceil"));
        QVERIFY(details.contains("Resize: linear") || details.contains("Resize: nearest"));
        QVERIFY(details.contains("Concat: axis 1"));
    }

    void tinyGraphLaysOut() {
        auto model = loadModelFromBytes(testsupport::tinyChain().serialize(), ".");
        QVERIFY(model.ok());
        QVERIFY(resolveShapes(model->graph, {}).ok());
        auto layout = appcore::layoutGraph(model->graph);
        QVERIFY(layout.ok());
        QCOMPARE(layout->nodes.size(), 4);  // x, relu, sigmoid, output
        QCOMPARE(layout->edges.size(), 3);
        QCOMPARE(layout->edges[0].label, QStringLiteral("1x4 · 16 B"));
    }

    // Past kMaxGraphvizNodes the graph is a column in execution order (dot
    // would take minutes, and Graphviz exits the process when out of memory).
    void hugeGraphGetsAColumnWithoutGraphviz() {
        GraphBuilder b("long");
        b.input("x", DataType::Float, {1, 4});
        std::string t = "x";
        const int count = appcore::kMaxGraphvizNodes + 1;
        for (int i = 0; i < count; ++i) t = b.op(i % 2 ? "Neg" : "Relu", {t}, {}, "n" + std::to_string(i));
        b.output(t, DataType::Float, {1, 4});
        auto model = loadModelFromBytes(b.serialize(), ".");
        QVERIFY(model.ok());
        QVERIFY(resolveShapes(model->graph, {}).ok());
        auto layout = appcore::layoutGraph(model->graph);
        QVERIFY(layout.ok());
        QVERIFY(layout->simplified);
        QCOMPARE(layout->nodes.size(), count + 2);
        QCOMPARE(layout->edges.size(), count + 1);
        for (int i = 1; i < layout->nodes.size(); ++i) {
            QVERIFY(layout->nodes[i].rect.top() >= layout->nodes[i - 1].rect.bottom());  // in order, no overlap
            QVERIFY(layout->bounds.contains(layout->nodes[i].rect));
        }
        for (const auto& edge : layout->edges) QCOMPARE(edge.path.size(), 4);

        // A graph under the limit still goes to Graphviz.
        QVERIFY(!appcore::layoutGraph(graph_).value().simplified);
    }

    void concurrentLayoutsAreSerialized() {
        // The app lays out on worker threads; Graphviz is not re-entrant.
        auto run = [this] { return appcore::layoutGraph(graph_).ok(); };
        QFuture<bool> a = QtConcurrent::run(run);
        QFuture<bool> b = QtConcurrent::run(run);
        QVERIFY(a.result());
        QVERIFY(b.result());
    }

    void findCyclesThroughMatches() {
        widgets::GraphView view;
        view.resize(1000, 700);
        view.setGraph(graph_, layout_);
        view.show();
        QSignalSpy spy(&view, &widgets::GraphView::nodeSelected);
        QCOMPARE(view.findAndSelect("Resize"), 38);
        const int first = view.selectedNode();
        QVERIFY(first >= 0);
        QCOMPARE(QString::fromStdString(graph_.nodes[static_cast<size_t>(first)].opType), QStringLiteral("Resize"));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.last().at(0).toInt(), first);
        QCOMPARE(view.findAndSelect("resize"), 38);  // case-insensitive, same query: the next match
        int previous = first;
        for (int i = 1; i < 38; ++i) {
            if (i > 1) QCOMPARE(view.findAndSelect("Resize"), 38);
            const int current = view.selectedNode();
            QVERIFY(current > previous);  // in execution order
            QCOMPARE(graph_.nodes[static_cast<size_t>(current)].opType, std::string("Resize"));
            previous = current;
        }
        QCOMPARE(view.findAndSelect("Resize"), 38);
        QCOMPARE(view.selectedNode(), first);  // round the 38 matches
        QCOMPARE(spy.count(), 39);
        QCOMPARE(view.findAndSelect("no such op"), 0);
        QCOMPARE(view.findAndSelect(""), 0);
    }

    void selectingEmitsNodeSelected() {
        widgets::GraphView view;
        view.resize(1000, 700);
        view.setGraph(graph_, layout_);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy spy(&view, &widgets::GraphView::nodeSelected);

        const std::string& name = graph_.nodes[200].name;
        QVERIFY(view.selectNode(QString::fromStdString(name)));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.last().at(0).toInt(), 200);
        QVERIFY(view.selectNode(QString::fromStdString(name)));
        QCOMPARE(spy.count(), 1);  // unchanged: no second signal
        QVERIFY(!view.selectNode("no such node"));

        // A click on a box selects its node, a click on empty space clears.
        int target = -1;
        for (const appcore::LayoutNode& node : layout_.nodes)
            if (node.node == 210) target = static_cast<int>(&node - layout_.nodes.data());
        QVERIFY(target >= 0);
        view.centerOn(layout_.nodes[target].rect.center());
        const QPoint onNode = view.mapFromScene(layout_.nodes[target].rect.center());
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, onNode);
        QCOMPARE(spy.count(), 2);
        QCOMPARE(spy.last().at(0).toInt(), 210);
        QCOMPARE(view.selectedNode(), 210);

        view.centerOn(layout_.bounds.topLeft());
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {},
                          view.mapFromScene(layout_.bounds.topLeft() - QPointF(30, 30)));
        QCOMPARE(spy.count(), 3);
        QCOMPARE(spy.last().at(0).toInt(), -1);
    }

    void colourModesRenderAndZoomIsClamped() {
        widgets::GraphView view;
        view.resize(900, 600);
        view.setGraph(graph_, layout_);
        view.show();
        for (auto mode : {widgets::GraphView::ColorBy::TensorSize, widgets::GraphView::ColorBy::Lifetime,
                          widgets::GraphView::ColorBy::OpType}) {
            view.setColorBy(mode);
            QCOMPARE(view.colorBy(), mode);
            const QImage image = view.grab().toImage();
            QVERIFY(!image.isNull());
        }
        view.fitToWindow();
        const double fit = view.zoom();
        QVERIFY(fit > 0 && fit < 0.1);  // u2netp is ~45,000 points tall
        for (int i = 0; i < 40; ++i) view.zoomIn();
        QVERIFY(view.zoom() <= 4.0 + 1e-9);
        for (int i = 0; i < 80; ++i) view.zoomOut();
        QVERIFY(view.zoom() >= fit * 0.8 - 1e-9);
    }

    // DenseNet-121 (427 nodes) opens with its dense blocks collapsed; a
    // double-click expands one (laid out off the UI thread), and finding a
    // node inside a collapsed block expands the groups around it.
    void bigModelOpensCollapsedAndSearchExpands() {
        auto bytes = buildZooModel("densenet121");
        QVERIFY(bytes.ok());
        auto model = loadModelFromBytes(bytes.value(), ".");
        QVERIFY(model.ok());
        QVERIFY(resolveShapes(model->graph, {}).ok());
        const Graph& graph = model->graph;
        auto grouped = std::make_shared<appcore::GroupedGraph>(appcore::planLayout(graph));
        const appcore::GroupTree& tree = grouped->tree();
        QVERIFY(tree.itemCount() > appcore::kCollapseAboveItems);
        const appcore::Expansion expansion = appcore::initialExpansion(tree);
        auto layout = grouped->layout(expansion);
        QVERIFY2(layout.ok(), layout.status().toString().c_str());

        auto groupByPath = [&](const QString& path) {
            for (int g = 0; g < tree.groupCount(); ++g)
                if (tree.group(g).path == path) return g;
            return -1;
        };
        auto nodeByName = [&](const std::string& name) {
            for (size_t n = 0; n < graph.nodes.size(); ++n)
                if (graph.nodes[n].name == name) return static_cast<int>(n);
            return -1;
        };
        const int block2 = groupByPath("features/denseblock2");
        const int block4 = groupByPath("features/denseblock4");
        const int concat2 = nodeByName("features/denseblock2/concat");
        const int deepConv = nodeByName("features/denseblock4/denselayer16/conv2");
        QVERIFY(block2 > 0 && block4 > 0 && concat2 >= 0 && deepConv >= 0);

        widgets::GraphView view;
        view.resize(1000, 700);
        view.setGroupedGraph(graph, grouped, layout.value(), expansion);
        view.show();
        QVERIFY(view.isGrouped());
        QVERIFY(view.shownGroupBoxes() >= 7);  // 4 dense blocks, 3 transitions
        QVERIFY(!view.isGroupExpanded(block2));
        QVERIFY(!view.isNodeShown(concat2));
        QVERIFY(!view.isNodeShown(deepConv));

        // Double-click on block 2's box.
        const auto boxes = view.scene()->items();
        QPointF blockCentre;
        for (QGraphicsItem* item : boxes)
            if (item->type() == widgets::graphitems::NodeType && item->toolTip().startsWith("features/denseblock2\n"))
                blockCentre = item->boundingRect().center();
        QVERIFY(!blockCentre.isNull());
        view.centerOn(blockCentre);
        QSignalSpy relaid(&view, &widgets::GraphView::layoutChanged);
        QTest::mouseDClick(view.viewport(), Qt::LeftButton, {}, view.mapFromScene(blockCentre - QPointF(20, 0)));
        QVERIFY(view.isGroupExpanded(block2));
        QTRY_VERIFY_WITH_TIMEOUT(!view.isLayoutPending(), 20000);
        QCOMPARE(relaid.count(), 1);
        QVERIFY(view.isNodeShown(concat2));
        QVERIFY(!view.isNodeShown(deepConv));
        QVERIFY(view.breadcrumb().endsWith("denseblock2"));

        // Find a node inside the collapsed block 4: its groups open, it is selected.
        QSignalSpy selected(&view, &widgets::GraphView::nodeSelected);
        QCOMPARE(view.findAndSelect("denseblock4/denselayer16/conv2"), 1);
        QCOMPARE(view.selectedNode(), deepConv);
        QCOMPARE(selected.count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!view.isLayoutPending(), 20000);
        QVERIFY(view.isGroupExpanded(block4));
        QVERIFY(view.isNodeShown(deepConv));
        QCOMPARE(view.selectedNode(), deepConv);
        QVERIFY(view.breadcrumb().endsWith("denseblock4 › denselayer16"));
        QVERIFY(view.isGroupExpanded(block2));  // what was open stays open

        // Collapsing block 4 hides the node again.
        QVERIFY(view.setGroupExpanded(block4, false));
        QTRY_VERIFY_WITH_TIMEOUT(!view.isLayoutPending(), 20000);
        QVERIFY(!view.isNodeShown(deepConv));

        // A problem on a node inside the collapsed block marks the block's
        // box (and only it), and the node itself once the block opens.
        view.setProblems({{deepConv, QStringLiteral("No backend runs Conv")}});
        QCOMPARE(view.problemCount(), 1);
        bool blockMarked = false;
        for (QGraphicsItem* item : view.scene()->items()) {
            auto* node = dynamic_cast<widgets::graphitems::NodeItem*>(item);
            if (node && node->hasProblem())
                blockMarked = item->toolTip().startsWith("features/denseblock4\n") &&
                              item->toolTip().contains("No backend runs Conv");
        }
        QVERIFY(blockMarked);
        QVERIFY(view.setGroupExpanded(block4, true));
        QTRY_VERIFY_WITH_TIMEOUT(!view.isLayoutPending(), 20000);
        QVERIFY(view.isNodeShown(deepConv));
        bool nodeMarked = false;
        for (QGraphicsItem* item : view.scene()->items()) {
            auto* node = dynamic_cast<widgets::graphitems::NodeItem*>(item);
            if (node && item->toolTip().startsWith("Conv  features/denseblock4/denselayer16/conv2"))
                nodeMarked = node->hasProblem() && item->toolTip().endsWith("No backend runs Conv");
        }
        QVERIFY(nodeMarked);
        QCOMPARE(view.problemCount(), 1);
    }

    void controlFlowBodiesExpandOnSearchAndKeepProblemMarks() {
        const Model model = testsupport::builtModel(testsupport::controlFlowModel(appcore::kCollapseBodyAbove + 5));
        const Graph& graph = model.graph;
        auto grouped = std::make_shared<appcore::GroupedGraph>(appcore::planLayout(graph), false);
        const appcore::GroupTree& tree = grouped->tree();
        const appcore::Expansion expansion = appcore::initialExpansion(tree);
        auto layout = grouped->layout(expansion);
        QVERIFY2(layout.ok(), layout.status().toString().c_str());
        int choose = -1;
        for (size_t n = 0; n < graph.nodes.size(); ++n)
            if (graph.nodes[n].name == "choose") choose = static_cast<int>(n);
        int ifGroup = -1, elseBranch = -1;
        for (int g = 0; g < tree.groupCount(); ++g) {
            if (tree.group(g).path == "If · choose") ifGroup = g;
            if (tree.group(g).path == "If · choose/else_branch") elseBranch = g;
        }
        QVERIFY(choose >= 0 && ifGroup > 0 && elseBranch > 0);

        widgets::GraphView view;
        view.resize(1000, 700);
        view.setGroupedGraph(graph, grouped, layout.value(), expansion);
        view.show();
        QVERIFY(view.isNodeShown(choose));
        QVERIFY(!view.isGroupExpanded(elseBranch));  // 45 nodes: collapsed

        // A body node is found by name although its body is collapsed; it
        // has a number past the main graph's nodes, and its body opens.
        QSignalSpy selected(&view, &widgets::GraphView::nodeSelected);
        QCOMPARE(view.findAndSelect("else_neg44"), 1);
        const int found = view.selectedNode();
        QVERIFY(found >= int(graph.nodes.size()));
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.front().front().toInt(), found);
        QTRY_VERIFY_WITH_TIMEOUT(!view.isLayoutPending(), 20000);
        QVERIFY(view.isGroupExpanded(elseBranch));
        QVERIFY(view.isNodeShown(found));
        QVERIFY(view.breadcrumb().endsWith("If · choose › else_branch"));
        // Op types match inside bodies too: the two Ifs.
        QCOMPARE(view.findAndSelect("If"), 2);

        // A problem on the If marks its box; collapsed, the If's group box.
        view.setProblems({{choose, QStringLiteral("No backend runs If")}});
        QCOMPARE(view.problemCount(), 1);
        auto markedTooltip = [&] {
            for (QGraphicsItem* item : view.scene()->items()) {
                auto* node = dynamic_cast<widgets::graphitems::NodeItem*>(item);
                if (node && node->hasProblem()) return item->toolTip();
            }
            return QString();
        };
        QVERIFY(markedTooltip().startsWith("If  choose"));
        QVERIFY(view.setGroupExpanded(ifGroup, false));
        QTRY_VERIFY_WITH_TIMEOUT(!view.isLayoutPending(), 20000);
        QVERIFY(!view.isNodeShown(choose));
        QCOMPARE(view.problemCount(), 1);
        QVERIFY(markedTooltip().startsWith("If · choose\n"));
        QVERIFY(markedTooltip().contains("No backend runs If"));
    }

    void clearingLeavesAnEmptyView() {
        widgets::GraphView view;
        view.setGraph(graph_, layout_);
        QVERIFY(view.hasGraph());
        view.clearGraph();
        QVERIFY(!view.hasGraph());
        QCOMPARE(view.selectedNode(), -1);
        QCOMPARE(view.findAndSelect("Conv"), 0);
    }
};

QTEST_MAIN(GraphViewTest)
#include "test_graph_view.moc"
