// The timing chart: per-run wall times as bars grouped by run index, one
// colour per configuration side by side, a summary table with one row per
// configuration, and the per-node times of the selected configuration.
#pragma once

#include <QString>
#include <QWidget>
#include <vector>

#include "core/run_types.h"

class QCustomPlot;
class QCPBars;
class QCPBarsGroup;
class QLabel;
class QMouseEvent;
class QTableWidget;

namespace widgets {

class TimingChart : public QWidget {
    Q_OBJECT
public:
    explicit TimingChart(QWidget* parent = nullptr);
    ~TimingChart() override;

    // A finished set: its bars are replaced by the result's runs and its
    // row in the summary table is added (or refreshed). The row is selected
    // so the node table shows the newest configuration.
    void addRunSet(const appcore::RunSetResult& result);
    // One finished run while the set still runs: appends a bar to the
    // set's series (created, with `label` in the legend, on its first run).
    void addRun(int setId, const QString& label, double ms);
    void clear();

    // Bar series (one per configuration) and bars: of all series, or of
    // series `series` (0-based, in the order sets arrived).
    int runSetCount() const { return static_cast<int>(series_.size()); }
    int barCount(int series = -1) const;

    QCustomPlot* plot() const { return plot_; }
    QTableWidget* summaryTable() const { return summary_; }
    QTableWidget* nodeTable() const { return nodes_; }
    // The set whose nodes the node table lists (-1: none).
    int selectedSet() const { return selectedSet_; }

signals:
    // The user picked a configuration in the summary table.
    void setSelected(int setId);

private:
    struct Series {
        int setId = 0;
        QString label;
        QCPBars* bars = nullptr;
    };

    Series& seriesFor(int setId, const QString& label);
    void layoutBars();
    void fillSummaryRow(int row, const appcore::RunSetResult& result);
    void showNodes(int setId);
    void onSummarySelection();
    void onMouseMove(QMouseEvent* event);
    const appcore::RunSetResult* resultFor(int setId) const;

    QCustomPlot* plot_ = nullptr;
    QCPBarsGroup* group_ = nullptr;
    QTableWidget* summary_ = nullptr;
    QTableWidget* nodes_ = nullptr;
    QLabel* nodesTitle_ = nullptr;
    std::vector<Series> series_;
    std::vector<appcore::RunSetResult> results_;  // by summary row
    int selectedSet_ = -1;
};

}  // namespace widgets
