// Memory on the graph view, on zoo U^2-Net-P planned in reduce mode with
// fusion: the executed graph maps onto the file's, a step greys and
// highlights the right boxes and arrows (flat and grouped), the heat
// colours put the hottest colour on the peak step's node, and the minimap
// marks it.
#include <QMouseEvent>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "core/executed_nodes.h"
#include "core/model_document.h"
#include "interstage/live_peak.h"
#include "interstage/session.h"
#include "interstage/zoo.h"
#include "test_support.h"
#include "widgets/graph_legend.h"
#include "widgets/graph_minimap.h"
#include "widgets/graph_style.h"
#include "widgets/graph_view.h"

using namespace interstage;
using widgets::GraphView;
using StepState = GraphView::StepState;

namespace {

// Where a tensor of the plan is at `step`, from the placement alone.
StepState expectedValueState(const TensorPlacement& p, int step) {
    if (p.first > step) return StepState::NotYetMade;
    return step <= p.last ? StepState::Live : StepState::Freed;
}

}  // namespace

class GraphHeatTest : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::shared_ptr<const appcore::ModelDocument> doc_;
    std::vector<std::string> executed_;
    std::vector<TensorPlacement> map_;
    appcore::ExecutedNodes nodes_;

    // A flat view of the file's graph, shown at a fixed size.
    std::unique_ptr<GraphView> flatView() {
        auto view = std::make_unique<GraphView>();
        view->resize(900, 700);
        auto layout = appcore::layoutGraph(doc_->resolved);
        if (!layout.ok()) qFatal("%s", layout.status().toString().c_str());
        view->setGraph(doc_->resolved, layout.value());
        view->show();
        return view;
    }

    int fileNode(const QString& name) const {
        for (size_t n = 0; n < doc_->resolved.nodes.size(); ++n)
            if (QString::fromStdString(doc_->resolved.nodes[n].name) == name) return static_cast<int>(n);
        return -1;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        auto bytes = buildZooModel("u2netp");
        QVERIFY2(bytes.ok(), bytes.status().toString().c_str());
        const QString path = dir_.filePath("u2netp.onnx");
        std::ofstream(path.toStdString(), std::ios::binary) << bytes.value();
        auto doc = appcore::loadDocument(path, {});
        QVERIFY2(doc.ok(), doc.status().toString().c_str());
        doc_ = doc.take();
        SessionOptions options;
        auto mode = MemoryMode::parse("reduce");
        QVERIFY2(mode.ok(), mode.status().toString().c_str());
        options.mode = mode.value();
        QVERIFY(options.fusion);
        auto session = Session::create(*doc_->model, options);
        QVERIFY2(session.ok(), session.status().toString().c_str());
        for (const Node& node : session.value()->executedGraph().nodes) executed_.push_back(node.name);
        map_ = session.value()->memoryMap();
        QVERIFY(!map_.empty());
        nodes_ = appcore::mapExecutedNodes(doc_->resolved, executed_, map_);
        qInfo("u2netp: %zu file nodes, %zu executed steps, %zu planned tensors", doc_->resolved.nodes.size(),
              executed_.size(), map_.size());
    }

    // Fusion ran (fewer steps than file nodes) and every executed step
    // stands for at least one file node; a fused step covers its Conv, its
    // BatchNorm and its Relu.
    void everyExecutedStepMapsToFileNodes() {
        QVERIFY(executed_.size() < doc_->resolved.nodes.size());
        QCOMPARE(nodes_.steps(), static_cast<int>(executed_.size()));
        for (int s = 0; s < nodes_.steps(); ++s)
            QVERIFY2(!nodes_.fileNodesOfStep[static_cast<size_t>(s)].empty(),
                     executed_[static_cast<size_t>(s)].c_str());
        int fusedConvSteps = 0;
        for (const auto& fileNodes : nodes_.fileNodesOfStep) {
            QStringList ops;
            for (int n : fileNodes) ops << QString::fromStdString(doc_->resolved.nodes[static_cast<size_t>(n)].opType);
            if (ops.contains("Conv") && ops.contains("BatchNormalization") && ops.contains("Relu")) ++fusedConvSteps;
        }
        QVERIFY2(fusedConvSteps > 50, qPrintable(QString::number(fusedConvSteps)));
        // Every file node that is not folded away has a step, and the steps
        // of named nodes are where the executed graph runs them.
        for (int s = 0; s < nodes_.steps(); ++s) {
            const int n = fileNode(QString::fromStdString(executed_[static_cast<size_t>(s)]));
            if (n >= 0) QCOMPARE(nodes_.stepOfFileNode[static_cast<size_t>(n)], s);
        }
        for (size_t n = 0; n < doc_->resolved.nodes.size(); ++n) {
            const Node& node = doc_->resolved.nodes[n];
            bool folded = true;
            for (ValueId v : node.outputs)
                if (v != kNoValue && !doc_->resolved.value(v).constant) folded = false;
            if (!folded) QVERIFY2(nodes_.stepOfFileNode[n] >= 0, node.name.c_str());
        }
    }

    void bogusInputMapsNothing() {
        const auto none = appcore::mapExecutedNodes(doc_->resolved, {"no such node"}, {});
        QCOMPARE(none.steps(), 1);
        QVERIFY(none.fileNodesOfStep[0].empty());
        const auto step = appcore::graphStepAt(none, doc_->resolved, {}, 5);
        QVERIFY(step.runningNodes.isEmpty() && step.liveValues.isEmpty());
    }

    // At the peak step every box and arrow shows what the plan says.
    void showStepMarksRunningLiveAndGreyed() {
        auto view = flatView();
        const LivePeak peak = peakOfLiveTensors(map_);
        QVERIFY(peak.step > 0);
        const int step = peak.step;
        view->showStep(appcore::graphStepAt(nodes_, doc_->resolved, map_, step));
        QVERIFY(view->hasStep());
        for (int n : nodes_.fileNodesOfStep[static_cast<size_t>(step)])
            QCOMPARE(view->stepStateOf(nodes_.nodeNames[static_cast<size_t>(n)]), StepState::Running);
        int live = 0, notYet = 0, freed = 0;
        for (const TensorPlacement& p : map_) {
            const QString name = QString::fromStdString(p.name);
            const StepState shown = view->edgeStepStateOf(name);
            if (shown == StepState::None) continue;  // a graph output drawn as a marker only
            QCOMPARE(shown, expectedValueState(p, step));
            live += shown == StepState::Live;
            notYet += shown == StepState::NotYetMade;
            freed += shown == StepState::Freed;
        }
        QVERIFY(live > 0 && notYet > 0 && freed > 0);
        // A node that ran long before the peak and whose outputs are dead is
        // greyed as freed; the last file node is not made yet.
        const QString last = nodes_.nodeNames[nodes_.fileNodesOfStep.back().front()];
        QCOMPARE(view->stepStateOf(last), StepState::NotYetMade);

        view->clearStep();
        QVERIFY(!view->hasStep());
        QCOMPARE(view->stepStateOf(last), StepState::None);
    }

    // In the grouped layout, a running node inside a collapsed group lights
    // the group.
    void runningNodeInsideCollapsedGroupLightsTheGroup() {
        QVERIFY2(doc_->grouped, "u2netp opens grouped (more than 300 items)");
        GraphView view;
        view.resize(900, 700);
        view.setGroupedGraph(doc_->resolved, doc_->grouped, doc_->layout, doc_->expansion);
        view.show();
        // A step whose running node is not drawn: it lies in a collapsed group.
        int step = -1;
        QString hidden;
        for (int s = 0; s < nodes_.steps() && step < 0; ++s) {
            for (int n : nodes_.fileNodesOfStep[static_cast<size_t>(s)]) {
                if (!view.isNodeShown(n)) {
                    step = s;
                    hidden = nodes_.nodeNames[static_cast<size_t>(n)];
                    break;
                }
            }
        }
        QVERIFY2(step >= 0, "some node starts inside a collapsed group");
        QVERIFY(view.shownGroupBoxes() > 0);
        view.showStep(appcore::graphStepAt(nodes_, doc_->resolved, map_, step));
        QCOMPARE(view.stepStateOf(hidden), StepState::Running);
        // Exactly the groups holding the step's nodes run; the others do not.
        int runningBoxes = 0;
        for (size_t n = 0; n < doc_->resolved.nodes.size(); ++n) {
            const StepState state = view.stepStateOf(nodes_.nodeNames[n]);
            const bool atStep = nodes_.stepOfFileNode[n] == step;
            if (atStep) QCOMPARE(state, StepState::Running);
            if (state == StepState::Running && !atStep) ++runningBoxes;  // its group's other members
        }
        QVERIFY(runningBoxes > 0);  // the group's other members report the group's state
        // Heat colours reach collapsed groups too: the peak's group is drawn hottest.
        view.setNodeMemory(appcore::nodeMemoryOf(nodes_, map_, "reduce"));
        view.setColorBy(GraphView::ColorBy::LiveBytes);
        const int peak = view.peakLayoutIndex();
        QVERIFY(peak >= 0);
        QVERIFY(view.minimap()->hasPeakMarker());
        const QString peakNode = nodes_.nodeNames[static_cast<size_t>(view.nodeMemory().peakNodes.front())];
        QCOMPARE(view.nodeColorOf(peakNode), widgets::graphstyle::rampColor(1.0));
    }

    // Live bytes: the peak step's node has the hottest colour and no node
    // is hotter; added/freed: the extremes take the diverging ends.
    void heatColoursPutThePeakHottest() {
        auto view = flatView();
        const appcore::NodeMemory memory = appcore::nodeMemoryOf(nodes_, map_, "reduce");
        QCOMPARE(memory.peakStep, peakOfLiveTensors(map_).step);
        QVERIFY(!memory.peakNodes.empty());
        view->setNodeMemory(memory);
        view->setColorBy(GraphView::ColorBy::LiveBytes);
        const QString peakNode = nodes_.nodeNames[static_cast<size_t>(memory.peakNodes.front())];
        QCOMPARE(view->nodeColorOf(peakNode), widgets::graphstyle::rampColor(1.0));
        for (size_t n = 0; n < memory.liveBytes.size(); ++n) QVERIFY(memory.liveBytes[n] <= memory.peakBytes);
        QVERIFY2(view->legend()->highLabel().contains("MiB"), qPrintable(view->legend()->highLabel()));

        view->setColorBy(GraphView::ColorBy::BytesAddedFreed);
        std::int64_t most = 0;
        size_t mostNode = 0;
        for (size_t n = 0; n < memory.ran.size(); ++n) {
            if (!memory.ran[n]) continue;
            const auto net =
                static_cast<std::int64_t>(memory.addedBytes[n]) - static_cast<std::int64_t>(memory.freedBytes[n]);
            if (std::abs(net) > std::abs(most)) {
                most = net;
                mostNode = n;
            }
        }
        QVERIFY(most != 0);
        QCOMPARE(view->nodeColorOf(nodes_.nodeNames[mostNode]),
                 widgets::graphstyle::divergingColor(most > 0 ? 1.0 : -1.0));
    }

    void minimapMarksThePeakNode() {
        auto view = flatView();
        QVERIFY(view->minimap()->isVisible());
        QVERIFY(!view->minimap()->hasPeakMarker());
        const appcore::NodeMemory memory = appcore::nodeMemoryOf(nodes_, map_, "reduce");
        view->setNodeMemory(memory);
        QVERIFY(view->minimap()->hasPeakMarker());
        const int peak = view->peakLayoutIndex();
        QVERIFY(peak >= 0);
        QCOMPARE(view->minimap()->peakMarkerSceneRect(), view->layoutRect(peak));
        const QString peakNode = nodes_.nodeNames[static_cast<size_t>(memory.peakNodes.front())];
        QCOMPARE(view->layoutRect(peak).center(), view->layoutRect(view->peakLayoutIndex()).center());
        QVERIFY(view->nodeColorOf(peakNode).isValid());
        // A click on the marker brings the peak into the middle of the view.
        const QPointF at = view->minimap()->fromScene(view->layoutRect(peak).center());
        QTest::mouseClick(view->minimap(), Qt::LeftButton, {}, at.toPoint());
        const QPointF centre = view->mapToScene(view->viewport()->rect().center());
        const QRectF scene = view->sceneRect();
        const double slop = std::max(scene.width(), scene.height()) / 60;
        const QPointF target = view->layoutRect(peak).center();
        QVERIFY2(std::abs(centre.y() - target.y()) < slop || view->zoom() < 0.2,
                 qPrintable(QString("%1 vs %2").arg(centre.y()).arg(target.y())));
        view->clearNodeMemory();
        QVERIFY(!view->minimap()->hasPeakMarker());
    }
};

QTEST_MAIN(GraphHeatTest)
#include "test_graph_heat.moc"
