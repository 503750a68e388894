#include "widgets/plan_diff_view.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "interstage/format.h"
#include "widgets/memory_map.h"
#include "widgets/memory_timeline.h"

namespace widgets {

namespace {

QString bytesText(std::size_t bytes) { return QString::fromStdString(interstage::formatBytes(double(bytes))); }

QString placeText(const interstage::TensorSide& s) {
    if (!s.present) return QObject::tr("(not in this plan)");
    QString text = QString("#%1").arg(s.buffer);
    if (s.offset) text += " + " + bytesText(s.offset);
    return text;
}

QString lifeText(const interstage::TensorSide& s) {
    return s.present ? QString("%1 – %2").arg(s.first).arg(s.last) : QString();
}

QString sharedText(const interstage::TensorSide& s) {
    if (!s.present) return {};
    return s.shared ? QObject::tr("shared") : QObject::tr("own bytes");
}

QString sideSummary(const char* tag, const QString& label, const interstage::PlanSideSummary& s) {
    return QObject::tr("<b>%1</b> %2: plan peak %3, live peak %4 at step %5, %6 buffers, %7 allocated per run")
        .arg(tag, label.toHtmlEscaped(), bytesText(s.planPeakBytes), bytesText(s.livePeakBytes))
        .arg(s.livePeakStep)
        .arg(s.buffers)
        .arg(s.allocationsPerRun);
}

}  // namespace

PlanDiffView::PlanDiffView(QWidget* parent) : QWidget(parent) {
    boxA_ = new QComboBox;
    boxB_ = new QComboBox;
    for (QComboBox* box : {boxA_, boxB_}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        connect(box, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
    }
    auto* pick = new QHBoxLayout;
    pick->addWidget(new QLabel(tr("Compare plan A")));
    pick->addWidget(boxA_);
    pick->addWidget(new QLabel(tr("with plan B")));
    pick->addWidget(boxB_);
    pick->addStretch(1);
    auto* plan = new QPushButton(tr("Plan without running"));
    plan->setToolTip(
        tr("Plan the Run panel's settings (mode, switches, inputs) without running them: a set that "
           "holds only its plan, to compare here"));
    connect(plan, &QPushButton::clicked, this, &PlanDiffView::planRequested);
    pick->addWidget(plan);

    summary_ =
        new QLabel(tr("Run or plan two sets (Compare presets, or Plan without running) to compare their plans."));
    summary_->setWordWrap(true);
    summary_->setTextFormat(Qt::RichText);

    mapA_ = new MemoryMap;
    mapB_ = new MemoryMap;
    timeline_ = new MemoryTimeline;
    table_ = new QTableWidget(0, 8);
    table_->setHorizontalHeaderLabels({tr("Tensor"), tr("Bytes"), tr("A: buffer + offset"), tr("A: steps"),
                                       tr("A: sharing"), tr("B: buffer + offset"), tr("B: steps"), tr("B: sharing")});
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setStretchLastSection(true);
    // A row picked outlines the tensor in both maps.
    connect(table_, &QTableWidget::currentCellChanged, this, [this](int row) {
        const QString name = row >= 0 && table_->item(row, 0) ? table_->item(row, 0)->text() : QString();
        mapA_->highlightTensor(name);
        mapB_->highlightTensor(name);
    });
    // One step axis: zooming or panning either map moves the other.
    followSteps(mapA_, mapB_);
    followSteps(mapB_, mapA_);

    auto* maps = new QSplitter(Qt::Vertical);
    maps->addWidget(mapA_);
    maps->addWidget(mapB_);
    // Table and timelines each need the width: one above the other they
    // would leave the maps no height.
    auto* lower = new QTabWidget;
    lower->addTab(table_, tr("Per-tensor differences"));
    lower->addTab(timeline_, tr("Timelines overlaid"));
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(maps);
    split->addWidget(lower);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({600, 400});
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(pick);
    layout->addWidget(summary_);
    layout->addWidget(split, 1);
}

void PlanDiffView::followSteps(MemoryMap* from, MemoryMap* to) {
    connect(from->plot()->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
            [this, to](const QCPRange& range) {
                if (syncing_) return;
                syncing_ = true;
                to->plot()->xAxis->setRange(range);
                to->plot()->replot(QCustomPlot::rpQueuedReplot);
                syncing_ = false;
            });
}

void PlanDiffView::setRunSets(const std::vector<appcore::RunSetResult>& sets) {
    const int keptA = boxA_->currentData().isValid() ? boxA_->currentData().toInt() : -1;
    const int keptB = boxB_->currentData().isValid() ? boxB_->currentData().toInt() : -1;
    sets_.clear();
    for (const appcore::RunSetResult& set : sets)
        if (!set.memoryMap.empty()) sets_.push_back(set);
    {
        const QSignalBlocker blockA(boxA_), blockB(boxB_);
        boxA_->clear();
        boxB_->clear();
        for (const appcore::RunSetResult& set : sets_) {
            const QString text = tr("set %1: %2%3")
                                     .arg(set.setId)
                                     .arg(set.config.label(), set.runs.empty() ? tr(" (planned only)") : QString());
            boxA_->addItem(text, set.setId);
            boxB_->addItem(text, set.setId);
        }
        const int a = boxA_->findData(keptA), b = boxB_->findData(keptB);
        boxA_->setCurrentIndex(a >= 0 ? a : 0);
        boxB_->setCurrentIndex(b >= 0 ? b : boxB_->count() - 1);
    }
    if (isVisible())
        refresh();
    else
        stale_ = true;
}

void PlanDiffView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (stale_) refresh();
}

bool PlanDiffView::compare(int a, int b) {
    if (a < 0 || b < 0 || a >= setCount() || b >= setCount()) return false;
    const QSignalBlocker blockA(boxA_), blockB(boxB_);
    boxA_->setCurrentIndex(a);
    boxB_->setCurrentIndex(b);
    refresh();
    return true;
}

int PlanDiffView::findSet(const QString& modeName) const {
    // By the mode's full name, or a preset's short name ("reduce").
    for (std::size_t i = 0; i < sets_.size(); ++i) {
        const interstage::MemoryMode& mode = sets_[i].config.session.mode;
        const interstage::MemoryPreset* preset = interstage::presetOf(mode);
        if (QString::fromStdString(mode.name()) == modeName || (preset && modeName == QLatin1String(preset->name)))
            return static_cast<int>(i);
    }
    return -1;
}

void PlanDiffView::showPlan(MemoryMap* map, const appcore::RunSetResult& set) {
    map->setPlacements(set.memoryMap, set.config.label(),
                       set.config.session.mode.planner == interstage::PlannerKind::Arena, set.bodyMemory);
}

// The two maps, the timelines and the table for the sets chosen.
void PlanDiffView::refresh() {
    stale_ = false;
    const int a = boxA_->currentIndex(), b = boxB_->currentIndex();
    timeline_->clear();
    if (a < 0 || b < 0 || a >= setCount() || b >= setCount()) {
        diff_ = {};
        mapA_->clear();
        mapB_->clear();
        table_->setRowCount(0);
        summary_->setText(
            tr("Run or plan two sets (Compare presets, or Plan without running) to compare their plans."));
        return;
    }
    const appcore::RunSetResult& setA = sets_[static_cast<std::size_t>(a)];
    const appcore::RunSetResult& setB = sets_[static_cast<std::size_t>(b)];
    diff_ = interstage::diffPlans(setA.memoryMap, setB.memoryMap);
    diff_.a.mode = setA.config.label().toStdString();
    diff_.a.planPeakBytes = setA.plannedPeakBytes;
    diff_.b.mode = setB.config.label().toStdString();
    diff_.b.planPeakBytes = setB.plannedPeakBytes;
    showPlan(mapA_, setA);
    showPlan(mapB_, setB);
    syncSteps();
    // B drawn, A as the line to compare against (the timeline overlays an
    // earlier set that way).
    if (!setB.runs.empty()) timeline_->showFinishedSet(setB);
    if (!setA.runs.empty() && setA.setId != setB.setId) {
        if (setB.runs.empty())
            timeline_->showFinishedSet(setA);
        else
            timeline_->finishSet(setA);
    }
    fillTable();
    summary_->setText(summaryText());
}

// Both maps over the longer plan's steps, their plots' left edges at the
// same pixel (the y labels differ in width: MiB of a slab, lanes), so a
// step lies above the same step.
void PlanDiffView::syncSteps() {
    const double steps = std::max(mapA_->plot()->xAxis->range().upper, mapB_->plot()->xAxis->range().upper);
    int left = 0;
    for (MemoryMap* map : {mapA_, mapB_}) {
        map->plot()->axisRect()->setMinimumMargins(QMargins());
        map->plot()->replot(QCustomPlot::rpImmediateRefresh);  // lays the margins out
        left = std::max(left, map->plot()->axisRect()->margins().left());
    }
    syncing_ = true;
    for (MemoryMap* map : {mapA_, mapB_}) {
        map->plot()->axisRect()->setMinimumMargins(QMargins(left, 0, 0, 0));
        map->plot()->xAxis->setRange(0, steps);
        map->plot()->replot(QCustomPlot::rpImmediateRefresh);
    }
    syncing_ = false;
}

void PlanDiffView::fillTable() {
    table_->setUpdatesEnabled(false);
    table_->setRowCount(static_cast<int>(diff_.tensors.size()));
    const QColor peakRow(255, 226, 222), sameText(140, 140, 140);
    for (int r = 0; r < table_->rowCount(); ++r) {
        const interstage::TensorDiff& t = diff_.tensors[static_cast<std::size_t>(r)];
        const bool resized = t.a.present && t.b.present && t.a.bytes != t.b.bytes;
        const QString bytes = resized ? bytesText(t.a.bytes) + " → " + bytesText(t.b.bytes) : bytesText(t.bytes);
        const QStringList cells = {QString::fromStdString(t.name),
                                   bytes,
                                   placeText(t.a),
                                   lifeText(t.a),
                                   sharedText(t.a),
                                   placeText(t.b),
                                   lifeText(t.b),
                                   sharedText(t.b)};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (t.differs && t.atPeak) item->setBackground(peakRow);
            if (!t.differs) item->setForeground(sameText);
            if (c == 0)
                item->setToolTip(cells[0] + ": " +
                                 (t.differs ? (t.atPeak ? tr("alive at a live peak and placed differently")
                                                        : tr("placed differently"))
                                            : tr("the same in both plans")));
            table_->setItem(r, c, item);
        }
    }
    table_->resizeColumnsToContents();
    table_->setColumnWidth(0, std::min(table_->columnWidth(0), 260));  // long names elide; the tooltip has them
    table_->setUpdatesEnabled(true);
}

QString PlanDiffView::summaryText() const {
    if (diff_.tensors.empty()) return summary_->text();
    int atPeak = 0;
    for (const interstage::TensorDiff& t : diff_.tensors) atPeak += t.differs && t.atPeak ? 1 : 0;
    return sideSummary("A", QString::fromStdString(diff_.a.mode), diff_.a) + "<br>" +
           sideSummary("B", QString::fromStdString(diff_.b.mode), diff_.b) + "<br>" +
           tr("%1 tensors, %2 placed differently; %3 of these are alive at a live peak (listed first, in red)")
               .arg(diff_.tensors.size())
               .arg(diff_.differing)
               .arg(atPeak);
}

QStringList PlanDiffView::tableNames() const {
    QStringList names;
    for (int r = 0; r < table_->rowCount(); ++r) names << table_->item(r, 0)->text();
    return names;
}

}  // namespace widgets
