#include "widgets/fit_chart.h"

#include <qcustomplot.h>

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "widgets/chart_style.h"

namespace widgets {

namespace {

// The budget is the line everything is measured against: red, dashed,
// distinct from the presets' colours (chart_style's palette avoids red).
const QColor kBudgetColor(0xc6, 0x28, 0x28);

}  // namespace

FitChart::FitChart(QWidget* parent) : QWidget(parent) {
    plot_ = new QCustomPlot;
    plot_->setMinimumHeight(220);
    applyChartTheme(plot_);
    plot_->yAxis->setLabel(tr("planned peak (MiB): weights + tensors + workspace + inputs"));
    placeLegendAbove(plot_);
    table_ = new QTableWidget(0, 3);
    table_->setHorizontalHeaderLabels({tr("Preset"), tr("Largest size that fits"), tr("Its planned peak")});
    table_->verticalHeader()->setVisible(false);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->setDefaultSectionSize(22);
    note_ = new QLabel;
    note_->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_, 1);
    layout->addWidget(note_);
    layout->addWidget(table_);
}

void FitChart::setSweep(const interstage::PlanSweep& sweep, const QString& dimension) {
    sweep_ = sweep;
    dimension_ = dimension;
    redraw();
}

void FitChart::setBudget(std::size_t bytes) {
    budget_ = bytes;
    redraw();
}

void FitChart::clear() {
    sweep_ = {};
    redraw();
}

std::optional<int64_t> FitChart::largestFitting(const QString& mode) const {
    for (const interstage::PresetSweep& preset : sweep_.presets)
        if (QString::fromStdString(preset.mode) == mode) return interstage::largestFitting(preset.points, budget_);
    return std::nullopt;
}

QCPGraph* FitChart::curve(const QString& mode) const {
    for (int i = 0; i < plot_->graphCount(); ++i)
        if (plot_->graph(i) != budgetLine_ && plot_->graph(i)->name() == mode) return plot_->graph(i);
    return nullptr;
}

void FitChart::redraw() {
    plot_->clearGraphs();
    budgetLine_ = nullptr;
    plot_->xAxis->setLabel(dimension_);
    double lo = 0, hi = 1, top = 1;
    bool any = false;
    for (size_t i = 0; i < sweep_.presets.size(); ++i) {
        const interstage::PresetSweep& preset = sweep_.presets[i];
        QCPGraph* graph = plot_->addGraph();
        graph->setName(QString::fromStdString(preset.mode));
        graph->setPen(QPen(setColor(static_cast<int>(i) + 1), 2));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
        for (const interstage::SweepPoint& p : preset.points) {
            if (!p.planned()) continue;  // a gap: that size did not plan
            graph->addData(double(p.size), toMiB(double(p.peakBytes)));
            lo = any ? std::min(lo, double(p.size)) : double(p.size);
            hi = any ? std::max(hi, double(p.size)) : double(p.size);
            top = std::max(top, toMiB(double(p.peakBytes)));
            any = true;
        }
    }
    if (budget_) {
        budgetLine_ = plot_->addGraph();
        budgetLine_->setName(tr("budget %1").arg(formatBytes(double(budget_))));
        budgetLine_->setPen(QPen(kBudgetColor, 2, Qt::DashLine));
        budgetLine_->addData(lo, toMiB(double(budget_)));
        budgetLine_->addData(hi > lo ? hi : lo + 1, toMiB(double(budget_)));
        top = std::max(top, toMiB(double(budget_)));
    }
    // Up to three budgets high: where the curves cross the line stays
    // readable when the default plan of the largest size is ten times more.
    if (budget_) top = std::min(top, 3 * toMiB(double(budget_)));
    plot_->xAxis->setRange(lo, hi > lo ? hi : lo + 1);
    plot_->yAxis->setRange(0, top * 1.08);
    plot_->legend->setVisible(plot_->graphCount() > 0);
    plot_->replot();
    note_->setText(sweep_.declaredShape.empty()
                       ? QString()
                       : tr("The model declares this input as %1: other sizes are planned from the graph, and a "
                            "run at one needs other dims allowed (--allow-other-dims).")
                             .arg(QString::fromStdString(sweep_.declaredShape)));
    note_->setVisible(!note_->text().isEmpty());
    fillTable();
}

void FitChart::fillTable() {
    table_->setRowCount(static_cast<int>(sweep_.presets.size()));
    for (size_t i = 0; i < sweep_.presets.size(); ++i) {
        const interstage::PresetSweep& preset = sweep_.presets[i];
        const std::optional<int64_t> largest = interstage::largestFitting(preset.points, budget_);
        const int row = static_cast<int>(i);
        auto* name = new QTableWidgetItem(QString::fromStdString(preset.mode));
        name->setForeground(setColor(row + 1));
        table_->setItem(row, 0, name);
        QString size = budget_ ? tr("none fits") : tr("no budget");
        QString peak;
        if (largest) {
            size = QString::number(*largest);
            for (const interstage::SweepPoint& p : preset.points)
                if (p.size == *largest) peak = formatBytes(double(p.peakBytes));
        }
        table_->setItem(row, 1, new QTableWidgetItem(size));
        table_->setItem(row, 2, new QTableWidgetItem(peak));
    }
    table_->resizeColumnsToContents();
    // Every preset's row in view, no scrolling.
    table_->setFixedHeight(table_->horizontalHeader()->height() + 4 +
                           table_->verticalHeader()->defaultSectionSize() * std::max(1, table_->rowCount()));
}

}  // namespace widgets
