// "Compare plans": two run sets of one model side by side. Their memory
// maps one above the other on one step axis (zoom or pan one, the other
// follows), their memory timelines overlaid (the second set drawn, the
// first as a line), and the per-tensor differences of their plans
// (interstage/plan_diff.h) with the tensors that make the peak difference
// first. A set that was refused before it ran still has its plan, so two
// planned configurations compare as well as two runs.
#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>
#include <vector>

#include "core/run_types.h"
#include "interstage/plan_diff.h"

class QComboBox;
class QLabel;
class QTableWidget;

namespace widgets {

class MemoryMap;
class MemoryTimeline;

class PlanDiffView : public QWidget {
    Q_OBJECT
public:
    explicit PlanDiffView(QWidget* parent = nullptr);

    // The sets to choose from (those with a plan). The choice made stays
    // where its sets remain; otherwise the first and the last set. Hidden,
    // the view compares them when it is next shown (a compare of five
    // presets would otherwise diff four times for nobody).
    void setRunSets(const std::vector<appcore::RunSetResult>& sets);
    // Compares sets a and b (indexes into the sets given, in the order the
    // combo boxes list them); false when either is out of range.
    bool compare(int a, int b);
    // The index of the first set in memory mode `modeName` (as
    // MemoryMode::name() spells it: "reduce"), -1 when none.
    int findSet(const QString& modeName) const;

    int setCount() const { return static_cast<int>(sets_.size()); }
    const interstage::PlanDiff& diff() const { return diff_; }
    QTableWidget* table() const { return table_; }
    MemoryMap* mapA() const { return mapA_; }
    MemoryMap* mapB() const { return mapB_; }
    MemoryTimeline* timeline() const { return timeline_; }
    QString summaryText() const;
    // The tensor names in table order (tests).
    QStringList tableNames() const;

signals:
    // "Plan without running": the window plans the Run panel's settings.
    void planRequested();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void refresh();
    void fillTable();
    void syncSteps();
    void followSteps(MemoryMap* from, MemoryMap* to);
    void showPlan(MemoryMap* map, const appcore::RunSetResult& set);

    std::vector<appcore::RunSetResult> sets_;
    interstage::PlanDiff diff_;
    QComboBox* boxA_ = nullptr;
    QComboBox* boxB_ = nullptr;
    QLabel* summary_ = nullptr;
    MemoryMap* mapA_ = nullptr;
    MemoryMap* mapB_ = nullptr;
    MemoryTimeline* timeline_ = nullptr;
    QTableWidget* table_ = nullptr;
    bool syncing_ = false;
    bool stale_ = false;  // sets changed while hidden
};

}  // namespace widgets
