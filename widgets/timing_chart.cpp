#include "widgets/timing_chart.h"

#include <qcustomplot.h>

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPixmap>
#include <QSplitter>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>

#include "widgets/chart_style.h"

namespace widgets {

namespace {

// Sorts by the number it shows, not by its text ("9.5" < "10.2").
class NumberItem : public QTableWidgetItem {
public:
    NumberItem(double value, const QString& text) : QTableWidgetItem(text) {
        setData(Qt::UserRole, value);
        setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    bool operator<(const QTableWidgetItem& other) const override {
        return data(Qt::UserRole).toDouble() < other.data(Qt::UserRole).toDouble();
    }
};

QTableWidget* makeTable(const QStringList& headers) {
    auto* table = new QTableWidget(0, static_cast<int>(headers.size()));
    table->setHorizontalHeaderLabels(headers);
    table->verticalHeader()->setVisible(false);
    table->verticalHeader()->setDefaultSectionSize(22);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setAlternatingRowColors(true);
    table->setShowGrid(false);
    table->horizontalHeader()->setHighlightSections(false);
    table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    table->setTextElideMode(Qt::ElideMiddle);  // node names differ at their ends ("stage1d/.../conv_s1")
    table->setWordWrap(false);
    return table;
}

QIcon swatch(const QColor& color) {
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawRect(1, 1, 10, 10);
    return QIcon(pixmap);
}

}  // namespace

TimingChart::TimingChart(QWidget* parent) : QWidget(parent) {
    plot_ = new QCustomPlot;
    plot_->setMinimumHeight(160);
    applyChartTheme(plot_);
    plot_->xAxis->setLabel(tr("run"));
    plot_->yAxis->setLabel(tr("wall time (ms)"));
    plot_->xAxis->grid()->setVisible(false);  // bars need no vertical grid
    plot_->xAxis->setTicker(QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText));
    plot_->xAxis->setSubTicks(false);
    placeLegendAbove(plot_);
    group_ = new QCPBarsGroup(plot_);
    group_->setSpacingType(QCPBarsGroup::stAbsolute);
    group_->setSpacing(2);
    connect(plot_, &QCustomPlot::mouseMove, this, &TimingChart::onMouseMove);

    summary_ = makeTable({tr("Configuration"), tr("First (ms)"), tr("Steady (ms)"), tr("Tracked (MiB)"),
                          tr("RSS (MiB)"), tr("Allocs / run")});
    // Short headers keep the table narrow; the tooltips say exactly what each column is.
    const QStringList tips = {
        tr("Memory mode, threads and backend"),     tr("Wall time of the first run"),
        tr("Median wall time of runs 2..N"),        tr("Most bytes the engine held at once"),
        tr("Most resident memory the OS reported"), tr("Allocations in a steady run (median of runs 2..N)")};
    for (int c = 0; c < summary_->columnCount(); ++c) summary_->horizontalHeaderItem(c)->setToolTip(tips[c]);
    // Every column as wide as its contents: the labels stay whole and a
    // narrow table scrolls instead of squeezing them to nothing.
    summary_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    summary_->horizontalHeader()->setStretchLastSection(false);
    connect(summary_, &QTableWidget::itemSelectionChanged, this, &TimingChart::onSummarySelection);

    nodes_ = makeTable({tr("Node"), tr("Op"), tr("Time (ms)"), tr("% of run")});
    nodes_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < nodes_->columnCount(); ++c)
        nodes_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    nodes_->setSortingEnabled(true);
    nodesTitle_ = new QLabel(tr("Per-node time: select a configuration"));
    nodesTitle_->setStyleSheet("color: #5f6368;");

    auto* summaryBox = new QWidget;
    auto* summaryLayout = new QVBoxLayout(summaryBox);
    summaryLayout->setContentsMargins(0, 0, 0, 0);
    auto* summaryTitle = new QLabel(tr("Configurations"));
    summaryTitle->setStyleSheet("color: #5f6368;");
    summaryLayout->addWidget(summaryTitle);
    summaryLayout->addWidget(summary_);
    auto* nodesBox = new QWidget;
    auto* nodesLayout = new QVBoxLayout(nodesBox);
    nodesLayout->setContentsMargins(0, 0, 0, 0);
    nodesLayout->addWidget(nodesTitle_);
    nodesLayout->addWidget(nodes_);

    auto* tables = new QSplitter(Qt::Horizontal);
    tables->addWidget(summaryBox);
    tables->addWidget(nodesBox);
    tables->setStretchFactor(0, 3);
    tables->setStretchFactor(1, 2);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(plot_);
    split->addWidget(tables);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({300, 200});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
    layoutBars();
}

TimingChart::~TimingChart() = default;

TimingChart::Series& TimingChart::seriesFor(int setId, const QString& label) {
    for (Series& s : series_)
        if (s.setId == setId) {
            if (!label.isEmpty() && s.label != label) {
                s.label = label;
                s.bars->setName(label);
            }
            return s;
        }
    Series s;
    s.setId = setId;
    s.label = label.isEmpty() ? tr("set %1").arg(setId) : label;
    s.bars = new QCPBars(plot_->xAxis, plot_->yAxis);
    s.bars->setName(s.label);
    const QColor color = setColor(setId);
    s.bars->setPen(QPen(color.darker(120), 1));
    s.bars->setBrush(color);
    s.bars->setBarsGroup(group_);
    series_.push_back(s);
    return series_.back();
}

void TimingChart::addRun(int setId, const QString& label, double ms) {
    Series& s = seriesFor(setId, label);
    s.bars->addData(s.bars->data()->size() + 1, ms);
    layoutBars();
}

void TimingChart::addRunSet(const appcore::RunSetResult& result) {
    Series& s = seriesFor(result.setId, result.config.label());
    QVector<double> keys, values;
    for (size_t i = 0; i < result.runs.size(); ++i) {
        keys.push_back(static_cast<double>(i + 1));
        values.push_back(result.runs[i]->ms);
    }
    s.bars->setData(keys, values, true);

    int row = -1;
    for (size_t i = 0; i < results_.size(); ++i)
        if (results_[i].setId == result.setId) row = static_cast<int>(i);
    if (row < 0) {
        row = static_cast<int>(results_.size());
        results_.push_back(result);
        summary_->insertRow(row);
    } else {
        results_[static_cast<size_t>(row)] = result;
    }
    fillSummaryRow(row, result);
    summary_->selectRow(row);
    showNodes(result.setId);  // also when the row was already selected
    layoutBars();
}

void TimingChart::clear() {
    for (Series& s : series_) plot_->removePlottable(s.bars);
    series_.clear();
    results_.clear();
    summary_->setRowCount(0);
    nodes_->setRowCount(0);
    selectedSet_ = -1;
    nodesTitle_->setText(tr("Per-node time: select a configuration"));
    layoutBars();
}

int TimingChart::barCount(int series) const {
    if (series >= 0) return series < runSetCount() ? series_[static_cast<size_t>(series)].bars->data()->size() : 0;
    int count = 0;
    for (const Series& s : series_) count += s.bars->data()->size();
    return count;
}

void TimingChart::layoutBars() {
    // Bars of one run share the slot of width 0.8 around the run index.
    const int n = std::max(1, runSetCount());
    int runs = 0;
    double maxMs = 0;
    for (const Series& s : series_) {
        s.bars->setWidth(0.8 / n);
        runs = std::max(runs, s.bars->data()->size());
        for (const auto& d : *s.bars->data()) maxMs = std::max(maxMs, d.value);
    }
    auto ticker = qSharedPointerCast<QCPAxisTickerText>(plot_->xAxis->ticker());
    ticker->clear();
    // Label every run up to 20, then every n-th so labels never collide.
    const int step = std::max(1, (runs + 19) / 20);
    for (int r = 1; r <= runs; r += step) ticker->addTick(r, QString::number(r));
    plot_->xAxis->setRange(0.4, std::max(1, runs) + 0.6);
    plot_->yAxis->setRange(0, maxMs > 0 ? maxMs * 1.08 : 1.0);
    plot_->legend->setVisible(!series_.empty());
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TimingChart::fillSummaryRow(int row, const appcore::RunSetResult& result) {
    QString label = result.config.label();
    if (result.cancelled)
        label += tr(" (stopped)");
    else if (!result.error.isEmpty())
        label += tr(" (failed)");
    auto* name = new QTableWidgetItem(swatch(setColor(result.setId)), label);
    name->setData(Qt::UserRole, result.setId);
    name->setToolTip(result.error.isEmpty() ? label : result.error);
    summary_->setItem(row, 0, name);
    auto number = [](double value, int decimals) {
        return new NumberItem(value, QString::number(value, 'f', decimals));
    };
    const double first = result.firstMs();
    const double steady = result.steadyMedianMs();
    summary_->setItem(row, 1, number(first, first >= 100 ? 0 : 1));
    summary_->setItem(row, 2, number(steady, steady >= 100 ? 0 : 1));
    summary_->setItem(row, 3, number(toMiB(static_cast<double>(result.peakTrackedBytes())), 1));
    summary_->setItem(row, 4, number(toMiB(static_cast<double>(result.peakRssBytes())), 1));
    summary_->setItem(row, 5, number(result.summary().steadyAllocations, 0));
}

const appcore::RunSetResult* TimingChart::resultFor(int setId) const {
    for (const auto& r : results_)
        if (r.setId == setId) return &r;
    return nullptr;
}

void TimingChart::onSummarySelection() {
    const auto rows = summary_->selectionModel()->selectedRows();
    if (rows.isEmpty()) return;
    const QTableWidgetItem* item = summary_->item(rows.front().row(), 0);
    if (!item) return;
    const int setId = item->data(Qt::UserRole).toInt();
    if (setId == selectedSet_) return;
    showNodes(setId);
    emit setSelected(setId);
}

void TimingChart::showNodes(int setId) {
    selectedSet_ = setId;
    const appcore::RunSetResult* result = resultFor(setId);
    nodes_->setSortingEnabled(false);  // filling a sorted table reorders rows under our feet
    nodes_->setRowCount(0);
    if (!result || result->runs.empty()) {
        nodesTitle_->setText(tr("Per-node time: no finished run"));
        return;
    }
    const interstage::RunStats& run = *result->runs.back();
    QString title =
        tr("Per-node time of %1, run %2 (%3)").arg(result->config.label()).arg(run.run).arg(formatMs(run.ms));
    if (run.fallbackTransfers)
        title +=
            tr("; nodes marked CPU ran on the CPU for want of a Vulkan shader: %1 copies, %2")
                .arg(run.fallbackTransfers)
                .arg(QLocale().formattedDataSize(qint64(run.fallbackBytes), 1, QLocale::DataSizeTraditionalFormat));
    nodesTitle_->setText(title);
    nodes_->setRowCount(static_cast<int>(run.nodes.size()));
    for (size_t i = 0; i < run.nodes.size(); ++i) {
        const interstage::NodeTiming& node = run.nodes[i];
        const int row = static_cast<int>(i);
        auto* name = new QTableWidgetItem(QString::fromStdString(node.name));
        name->setToolTip(name->text());
        nodes_->setItem(row, 0, name);
        auto* op =
            new QTableWidgetItem(QString::fromStdString(node.op) + (node.cpuFallback ? tr(" · CPU") : QString()));
        if (node.cpuFallback) {
            op->setForeground(QColor("#b3261e"));
            op->setToolTip(
                tr("No Vulkan shader for this node: it ran on the CPU, its tensors copied to and from the device"));
        }
        nodes_->setItem(row, 1, op);
        nodes_->setItem(row, 2, new NumberItem(node.ms, QString::number(node.ms, 'f', 3)));
        const double share = run.ms > 0 ? 100.0 * node.ms / run.ms : 0;
        nodes_->setItem(row, 3, new NumberItem(share, QString::number(share, 'f', 1)));
    }
    nodes_->setSortingEnabled(true);
    nodes_->sortByColumn(2, Qt::DescendingOrder);  // the slowest nodes first
}

void TimingChart::onMouseMove(QMouseEvent* event) {
    for (const Series& s : series_) {
        QVariant details;
        if (s.bars->selectTest(event->position(), false, &details) < 0) continue;
        const auto selection = details.value<QCPDataSelection>();
        if (selection.isEmpty()) continue;
        const auto it = s.bars->data()->at(selection.dataRange().begin());
        QToolTip::showText(
            event->globalPosition().toPoint(),
            tr("<b>%1</b><br>run %2: %3").arg(s.label.toHtmlEscaped()).arg(it->key).arg(formatMs(it->value)), plot_);
        return;
    }
    QToolTip::hideText();
}

}  // namespace widgets
