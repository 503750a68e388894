// The Peak tab (widgets/peak_panel.h): fed with every finished set, its
// rows select their producer in the graph, and its costs are planned here
// on request, from the open model and the set's options.
#include <QApplication>
#include <QStatusBar>
#include <QTabWidget>

#include "main_window.h"
#include "widgets/graph_view.h"
#include "widgets/peak_panel.h"

void MainWindow::buildPeakPanel() {
    peakPanel_ = new widgets::PeakPanel;
    tabs_->addTab(peakPanel_, tr("Peak"));
    connect(peakPanel_, &widgets::PeakPanel::tensorChosen, this, &MainWindow::selectProducer);
    connect(peakPanel_, &widgets::PeakPanel::costsRequested, this, &MainWindow::planPeakCosts);
}

// The executed graph's producer when the file's graph has a node of that
// name; else (fused, folded) the file's producer of the tensor.
void MainWindow::selectProducer(const QString& tensor, const QString& producer) {
    if (!document_) return;
    const interstage::Graph& g = document_->resolved;
    for (size_t i = 0; i < g.nodes.size(); ++i)
        if (g.nodes[i].name == producer.toStdString()) {
            graphView_->selectNode(producer);
            selectNode(int(i));
            return;
        }
    const interstage::ValueId id = g.find(tensor.toStdString());
    if (id == interstage::kNoValue || g.value(id).producer == interstage::kNoNode) return;
    const interstage::NodeId made = g.value(id).producer;
    graphView_->selectNode(QString::fromStdString(g.nodes[static_cast<size_t>(made)].name));
    selectNode(made);
}

// Plans the model again per pin and per in-place rule (kernels prepared,
// nothing run): seconds on a real model, so on request and with a busy
// cursor; not while a set runs (the sessions would share the process).
void MainWindow::planPeakCosts(int set) {
    if (set < 0 || set >= int(results_.size()) || !results_[size_t(set)].peak) return;
    if (!document_ || !document_->model || isBusy()) {
        statusBar()->showMessage(tr("The costs are planned from the open model when no set is running"), 5000);
        return;
    }
    appcore::RunSetResult& result = results_[size_t(set)];
    interstage::PeakExplanation planned = *result.peak;
    interstage::SessionOptions options = result.config.session;
    options.observer = nullptr;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    statusBar()->showMessage(tr("Planning the costs of %1...").arg(result.config.label()));
    interstage::addPeakCosts(planned, *document_->model, options);
    QApplication::restoreOverrideCursor();
    statusBar()->clearMessage();
    result.peak = std::make_shared<const interstage::PeakExplanation>(std::move(planned));
    peakPanel_->updateExplanation(set, result.peak);
}
