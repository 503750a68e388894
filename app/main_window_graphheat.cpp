// Memory on the graph: the finished set drawn on the memory map also
// colours the graph (live bytes, bytes added / freed) and puts the peak on
// the graph's minimap; the View menu's colour choices for both.
#include <QMenu>

#include "core/executed_nodes.h"
#include "main_window.h"
#include "widgets/graph_view.h"

void MainWindow::showMemoryOnGraph(const appcore::RunSetResult& result) {
    // A restored session without its model has no graph to colour.
    if (!document_ || result.memoryMap.empty()) return;
    const appcore::ExecutedNodes nodes =
        appcore::mapExecutedNodes(document_->resolved, result.executedNodeNames, result.memoryMap);
    graphView_->setNodeMemory(appcore::nodeMemoryOf(nodes, result.memoryMap, result.config.label()));
}

void MainWindow::addMemoryColourActions(QMenu* colour) {
    using ColorBy = widgets::GraphView::ColorBy;
    colour->addSeparator();
    colour->addAction(tr("Live bytes at its step"), this, [this] { graphView_->setColorBy(ColorBy::LiveBytes); });
    colour->addAction(tr("Bytes added / freed"), this, [this] { graphView_->setColorBy(ColorBy::BytesAddedFreed); });
}
