// The "Compare plans" tab: any two finished run sets of the open model
// (refused ones too: their plan was made), side by side.
#include <QTabWidget>

#include "main_window.h"
#include "widgets/plan_diff_view.h"

void MainWindow::buildDiffTab() {
    planDiff_ = new widgets::PlanDiffView;
    tabs_->addTab(planDiff_, tr("Compare plans"));
}

// Every set with a plan, failed and refused ones included (history_).
void MainWindow::updateDiffView() { planDiff_->setRunSets(history_); }

void MainWindow::showPlanDiff() { tabs_->setCurrentWidget(planDiff_); }
