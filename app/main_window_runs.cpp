// Run sets and the inspector: what the Run / Compare buttons and a click on
// a node do.
#include <QLocale>
#include <QMessageBox>
#include <QStatusBar>
#include <QTabWidget>
#include <algorithm>
#include <tuple>

#include "core/graph_bodies.h"
#include "interstage/lifetimes.h"
#include "main_window.h"
#include "widgets/graph_view.h"
#include "widgets/inspector.h"
#include "widgets/memory_map.h"
#include "widgets/memory_timeline.h"
#include "widgets/peak_panel.h"
#include "widgets/run_panel.h"
#include "widgets/timing_chart.h"

void MainWindow::runOnce() {
    if (!document_) {
        showError(tr("Nothing to run"), tr("Open a model first (File > Open, or File > Open Sample)."));
        return;
    }
    if (!document_->runBlocker.isEmpty()) {
        showError(tr("Cannot run this model"), document_->runBlocker);
        return;
    }
    appcore::RunConfig config;
    if (!panelConfig(config)) return;
    queue_.clear();
    startSet(config);
}

bool MainWindow::panelConfig(appcore::RunConfig& config) {
    QString error;
    config = runPanel_->config(&error);
    if (error.isEmpty()) return true;
    showError(tr("Check the run settings"), error);
    return false;
}

void MainWindow::comparePresets() {
    if (!document_) {
        showError(tr("Nothing to run"), tr("Open a model first (File > Open, or File > Open Sample)."));
        return;
    }
    if (!document_->runBlocker.isEmpty()) {
        showError(tr("Cannot run this model"), document_->runBlocker);
        return;
    }
    appcore::RunConfig base;
    if (!panelConfig(base)) return;
    queue_.clear();
    for (const interstage::MemoryPreset& preset : interstage::memoryPresets()) {
        appcore::RunConfig config = base;
        config.session.mode = preset.mode;  // the seed's flags: reduce-constant and ignore-input-initializer on
        queue_.push_back(config);
    }
    appcore::RunConfig first = queue_.front();
    queue_.pop_front();
    startSet(first);
}

void MainWindow::startSet(const appcore::RunConfig& given) {
    appcore::RunConfig config = given;
    std::tie(config.failNthAllocationForTesting, config.loseDeviceAtSubmitForTesting) = nextFaults_;
    nextFaults_ = {0, 0};
    currentLabel_ = config.label();
    const int setId = controller_.start(document_->model, config);
    timeline_->beginSet(setId, currentLabel_);
    runPanel_->setRunning(true);
    tabs_->setCurrentWidget(timeline_);
    statusBar()->showMessage(tr("Running %1 (%2 runs)...").arg(currentLabel_).arg(config.runs));
}

void MainWindow::drawFinishedSet(const appcore::RunSetResult& result) {
    timeline_->finishSet(result);
    history_.push_back(result);
    // A set refused before its first run (the memory guard) drew nothing:
    // the last set that ran stays the one drawn.
    if (result.runs.empty() && !results_.empty()) timeline_->showFinishedSet(results_.back());
    if (!result.runs.empty()) {
        results_.push_back(result);
        timingChart_->addRunSet(result);
        memoryMap_->setPlacements(result.memoryMap, result.config.label(),
                                  result.config.session.mode.planner == interstage::PlannerKind::Arena,
                                  result.bodyMemory);
        showMemoryOnGraph(result);
        peakPanel_->addSet(result);
        followSetForSteps(result);
    }
    // A plan that did not run (Plan, Compare plans): its map and steps.
    if (result.config.planOnly() && result.error.isEmpty() && !result.cancelled) showPlannedSet(result);
    updateDiffView();
}

void MainWindow::onSetFinished(const appcore::RunSetResult& result) {
    drawFinishedSet(result);
    if (!result.runs.empty()) setUnsaved(true);
    // Every finished set, also between a comparison's presets: a crash
    // loses at most the set in flight.
    requestAutosave();
    if (!result.error.isEmpty()) {
        // The engine's refusal names the CLI's flag; here a field does it.
        const bool budget = result.error.contains("--max-memory");
        // A preset the guard refuses before it runs does not stop Compare:
        // the others may fit.
        if (!budget || !result.runs.empty()) queue_.clear();
        // The window is idle again before the (modal) dialog shows: Run is
        // enabled and the status bar says what happened, not "Running".
        if (queue_.empty()) {
            runPanel_->setRunning(false);
            statusBar()->showMessage(budget ? tr("%1: refused by the memory guard").arg(result.config.label())
                                            : tr("%1: the run failed").arg(result.config.label()));
        }
        showError(budget ? tr("The memory guard refused the run") : tr("The run failed"),
                  budget ? result.error + tr(" (in the app: the Budget field of the Run panel)") : result.error);
    }
    if (!queue_.empty() && !result.cancelled) {
        appcore::RunConfig next = queue_.front();
        queue_.pop_front();
        startSet(next);
        return;
    }
    queue_.clear();
    runPanel_->setRunning(false);
    QString summary =
        tr("%1: first run %2 ms, steady %3 ms, peak %4")
            .arg(result.config.label())
            .arg(result.firstMs(), 0, 'f', 1)
            .arg(result.steadyMedianMs(), 0, 'f', 1)
            .arg(QLocale().formattedDataSize(qint64(result.peakTrackedBytes()), 1, QLocale::DataSizeTraditionalFormat));
    if (!result.runs.empty() && result.runs.back()->fallbackTransfers) {
        const auto& nodes = result.runs.back()->nodes;
        const auto onCpu = std::count_if(nodes.begin(), nodes.end(), [](const auto& n) { return n.cpuFallback; });
        summary += onCpu == 1 ? tr("; 1 node ran on the CPU (no Vulkan shader; see Timings)")
                              : tr("; %1 nodes ran on the CPU (no Vulkan shader; see Timings)").arg(onCpu);
    }
    // A set that never ran keeps the status its error gave it.
    if (result.cancelled || !result.runs.empty())
        statusBar()->showMessage(result.cancelled ? tr("Stopped") : summary, 10000);
    if (selectedNode_ >= 0) selectNode(selectedNode_);  // refresh the values shown
    emit runSetFinished();
}

void MainWindow::selectNode(int nodeIndex) {
    selectedNode_ = nodeIndex;
    if (!document_ || nodeIndex < 0) {
        inspector_->clearNode();
        return;
    }
    // Numbers past the main graph's nodes are control-flow body nodes
    // (appcore::collectBodies): shown from their body, without a step.
    const interstage::Graph* graph = &document_->resolved;
    const interstage::Node* found = nullptr;
    const bool inBody = nodeIndex >= int(graph->nodes.size());
    if (!inBody) {
        found = &graph->nodes[static_cast<size_t>(nodeIndex)];
    } else {
        const appcore::GraphBodies bodies = appcore::collectBodies(*graph);
        found = appcore::bodyNode(*graph, bodies, nodeIndex);
        if (found) graph = bodies.graphOf(bodies.nodes[static_cast<size_t>(nodeIndex) - graph->nodes.size()].body);
    }
    if (!found) {
        inspector_->clearNode();
        return;
    }
    const interstage::Graph& g = *graph;
    const interstage::Node& node = *found;
    widgets::InspectedNode shown;
    shown.name = QString::fromStdString(node.name);
    shown.op = QString::fromStdString(node.opType);
    shown.step = inBody ? -1 : nodeIndex;
    for (const auto& a : node.attributes) {
        QString value;
        switch (a.kind) {
            case interstage::Attribute::Kind::Int:
                value = QString::number(a.i);
                break;
            case interstage::Attribute::Kind::Float:
                value = QString::number(a.f);
                break;
            case interstage::Attribute::Kind::String:
                value = QString::fromStdString(a.s);
                break;
            case interstage::Attribute::Kind::Ints: {
                QStringList parts;
                for (auto v : a.ints) parts << QString::number(v);
                value = "[" + parts.join(", ") + "]";
                break;
            }
            case interstage::Attribute::Kind::Floats: {
                QStringList parts;
                for (auto v : a.floats) parts << QString::number(v);
                value = "[" + parts.join(", ") + "]";
                break;
            }
            case interstage::Attribute::Kind::Tensor:
                value = a.tensor ? QString::fromStdString(interstage::shapeToString(a.tensor->shape)) + " tensor"
                                 : "tensor";
                break;
            default:
                value = "(graph or other)";
                break;
        }
        shown.attributes << qMakePair(QString::fromStdString(a.name), value);
    }
    auto describe = [&](interstage::ValueId id) {
        const interstage::Value& v = g.value(id);
        widgets::InspectedTensor t;
        t.name = QString::fromStdString(v.name);
        t.dtype = interstage::dataTypeName(v.dtype);
        // Body values are not shape-resolved: "?" rather than an empty shape's "scalar".
        t.shape = inBody && !v.shapeResolved ? QStringLiteral("?")
                                             : QString::fromStdString(interstage::shapeToString(v.shape));
        t.bytes = qint64(v.byteSize());
        if (v.isWeight())
            t.lifetime = tr("weight");
        else if (inBody)
            t.lifetime = v.fromOuterScope ? tr("read from outside the body") : tr("inside a control-flow body");
        else if (v.producer == interstage::kNoNode)
            t.lifetime = tr("graph input");
        else {
            int last = v.producer;
            for (auto c : v.consumers) last = std::max(last, int(c));
            if (v.isGraphOutput) last = int(g.nodes.size()) - 1;
            t.lifetime = tr("steps %1–%2").arg(v.producer).arg(last);
        }
        return t;
    };
    for (auto id : node.inputs)
        if (id != interstage::kNoValue) shown.inputs << describe(id);
    for (auto id : node.outputs)
        if (id != interstage::kNoValue) shown.outputs << describe(id);
    inspector_->showNode(shown);
    // A session keeps no body tensors to show.
    if (!inBody && !node.outputs.empty() && node.outputs[0] != interstage::kNoValue)
        showTensor(QString::fromStdString(g.value(node.outputs[0]).name));
}

void MainWindow::showTensor(const QString& name) {
    if (!controller_.hasSession()) {
        inspector_->showValues(name, nullptr, tr("Run the model to see this tensor's values."), false);
        return;
    }
    if (controller_.isRunning()) {
        inspector_->showValues(name, nullptr, tr("A run is in progress."), false);
        return;
    }
    auto value = controller_.blob(name.toStdString());
    if (value.ok()) {
        inspector_->showValues(name, &value.value(), QString(), false);
        return;
    }
    const bool removed = value.status().code() == interstage::StatusCode::DataRemoved;
    inspector_->showValues(name, nullptr, QString::fromStdString(value.status().message()), removed);
}
