// The window's "Will it fit?" tab: the budget explorer (fit_explorer.h)
// follows the open model, and plans by itself the first time it is shown
// for a model, so the tab is never an empty chart.
#include <QMenuBar>
#include <QTabWidget>

#include "fit_explorer.h"
#include "main_window.h"

void MainWindow::buildFitTab(QMenu* view) {
    fitExplorer_ = new FitExplorer;
    tabs_->addTab(fitExplorer_, tr("Will it fit?"));
    view->addAction(tr("&Will it fit?"), this, [this] { tabs_->setCurrentWidget(fitExplorer_); });
    connect(this, &MainWindow::documentChanged, fitExplorer_, [this] {
        if (document_) fitExplorer_->setModel(document_->model, document_->resolved);
        if (tabs_->currentWidget() == fitExplorer_) fitExplorer_->plan();
    });
    connect(tabs_, &QTabWidget::currentChanged, fitExplorer_, [this] {
        if (tabs_->currentWidget() == fitExplorer_ && !fitExplorer_->hasSweep()) fitExplorer_->plan();
    });
}
