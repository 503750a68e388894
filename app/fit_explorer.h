// The budget explorer ("Will it fit?"): a target in MiB, the input and the
// dimension to sweep, and the planned peak of every preset over that
// dimension (interstage/plan_sweep.h: planning only, on a worker thread),
// with the largest size that fits each preset named.
#pragma once

#include <QFutureWatcher>
#include <QWidget>
#include <atomic>
#include <memory>
#include <optional>

#include "interstage/model.h"
#include "interstage/plan_sweep.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace widgets {
class FitChart;
}

class FitExplorer : public QWidget {
    Q_OBJECT
public:
    explicit FitExplorer(QWidget* parent = nullptr);
    ~FitExplorer() override;

    // The model to plan (null: none); the fields get defaults from its
    // first input's shape in `resolved` (the shapes the window shows).
    void setModel(std::shared_ptr<const interstage::Model> model, const interstage::Graph& resolved);
    // Plans the sweep the fields describe, off the UI thread; false (and
    // the reason in the status line) when the fields do not parse.
    bool plan();
    void cancel();
    bool isPlanning() const { return watcher_ != nullptr; }
    // Whether the current model has a sweep drawn (or planning).
    bool hasSweep() const { return planned_; }

    // For tests and scripted screenshots.
    void setBudgetMiB(double mib);
    void setSweep(const QString& input, const QString& pattern, const QString& range);
    widgets::FitChart* chart() const { return chart_; }
    QString statusText() const;

signals:
    void planned();  // a sweep finished (or failed: statusText says why)

private:
    void finish();
    void exportChart();

    std::shared_ptr<const interstage::Model> model_;
    QComboBox* input_ = nullptr;
    QLineEdit* pattern_ = nullptr;
    QLineEdit* range_ = nullptr;
    QDoubleSpinBox* budget_ = nullptr;
    QPushButton* planButton_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    widgets::FitChart* chart_ = nullptr;
    QFutureWatcher<void>* watcher_ = nullptr;
    std::shared_ptr<std::atomic<bool>> stop_;
    std::shared_ptr<std::optional<interstage::Result<interstage::PlanSweep>>> result_;
    QString dimension_;
    bool planned_ = false;
};
