// "Will it fit?": the planned peak of every memory preset as a curve over
// one input dimension, the budget drawn across as a named line, and a
// table naming the largest size that fits per preset. Fed with a finished
// (or partial) planning sweep; it plans nothing itself.
#pragma once

#include <QString>
#include <QWidget>
#include <optional>
#include <vector>

#include "interstage/plan_sweep.h"

class QCustomPlot;
class QCPGraph;
class QLabel;
class QTableWidget;

namespace widgets {

class FitChart : public QWidget {
    Q_OBJECT
public:
    explicit FitChart(QWidget* parent = nullptr);

    // One curve per preset of the sweep; `dimension` labels the x axis
    // ("image side S of input 1x3xSxS").
    void setSweep(const interstage::PlanSweep& sweep, const QString& dimension);
    // The budget line and the largest fitting sizes follow it (0: none).
    void setBudget(std::size_t bytes);
    void clear();

    // For tests and exports.
    QCustomPlot* plot() const { return plot_; }
    QTableWidget* table() const { return table_; }
    const interstage::PlanSweep& sweep() const { return sweep_; }
    // The largest size of the preset's curve within the budget (none: no
    // point fits, or no budget).
    std::optional<int64_t> largestFitting(const QString& mode) const;
    QCPGraph* curve(const QString& mode) const;
    QCPGraph* budgetLine() const { return budgetLine_; }

private:
    void redraw();
    void fillTable();

    QCustomPlot* plot_ = nullptr;
    QTableWidget* table_ = nullptr;
    QLabel* note_ = nullptr;
    QCPGraph* budgetLine_ = nullptr;
    interstage::PlanSweep sweep_;
    QString dimension_;
    std::size_t budget_ = 0;
};

}  // namespace widgets
