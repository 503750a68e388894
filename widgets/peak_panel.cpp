#include "widgets/peak_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "interstage/format.h"
#include "interstage/live_peak.h"

namespace widgets {
namespace {

QString bytesText(double bytes) { return QString::fromStdString(interstage::formatBytes(bytes)); }

QString signedBytesText(std::int64_t bytes) {
    return (bytes < 0 ? "−" : "+") + bytesText(static_cast<double>(bytes < 0 ? -bytes : bytes));
}

enum Column { Bytes, Tensor, Reason, Producer, LastReader, Columns };

// "name  value" lines of a two-column HTML table.
QString tableOf(const QList<QPair<QString, QString>>& rows) {
    QString html = "<table cellspacing='2'>";
    for (const auto& [name, value] : rows)
        html += "<tr><td>" + name.toHtmlEscaped() + "</td><td align='right'>&nbsp;&nbsp;<b>" + value.toHtmlEscaped() +
                "</b></td></tr>";
    return html + "</table>";
}

QString costLines(const QString& title, const std::vector<interstage::PeakCost>& costs) {
    QList<QPair<QString, QString>> rows;
    for (const interstage::PeakCost& c : costs)
        rows << qMakePair(QString::fromStdString(c.name),
                          c.error.empty() ? signedBytesText(c.bytes)
                                          : QObject::tr("not planned: %1").arg(QString::fromStdString(c.error)));
    return "<p>" + title.toHtmlEscaped() + "</p>" + tableOf(rows);
}

}  // namespace

PeakPanel::PeakPanel(QWidget* parent) : QWidget(parent) {
    chooser_ = new QComboBox;
    summary_ = new QLabel(tr("Run a set to see why its plan peaks where it does."));
    summary_->setWordWrap(true);
    live_ = new QTableWidget(0, Columns);
    live_->setHorizontalHeaderLabels({tr("Bytes"), tr("Tensor"), tr("Why alive"), tr("Producer"), tr("Last reader")});
    live_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    live_->setSelectionBehavior(QAbstractItemView::SelectRows);
    live_->verticalHeader()->hide();
    live_->horizontalHeader()->setSectionResizeMode(Reason, QHeaderView::Stretch);
    live_->setToolTip(tr("Click a tensor to select the node that made it in the graph"));
    bounds_ = new QLabel;
    bounds_->setTextFormat(Qt::RichText);
    costs_ = new QLabel;
    costs_->setTextFormat(Qt::RichText);
    costs_->setWordWrap(true);
    planCosts_ = new QPushButton(tr("Plan the costs of pins and in-place rules"));
    planCosts_->setToolTip(tr("Plans the model again once per pin and per in-place rule (no run)"));

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Run set:")));
    top->addWidget(chooser_, 1);
    auto* figures = new QHBoxLayout;
    figures->addWidget(bounds_, 1);
    auto* costColumn = new QVBoxLayout;
    costColumn->addWidget(costs_);
    costColumn->addWidget(planCosts_);
    costColumn->addStretch();
    figures->addLayout(costColumn, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(summary_);
    layout->addWidget(live_, 1);
    layout->addLayout(figures);

    connect(chooser_, qOverload<int>(&QComboBox::currentIndexChanged), this, &PeakPanel::showSet);
    connect(live_, &QTableWidget::cellClicked, this, [this](int row, int) {
        emit tensorChosen(live_->item(row, Tensor)->text(), live_->item(row, Producer)->text());
    });
    connect(planCosts_, &QPushButton::clicked, this, [this] { emit costsRequested(currentSet()); });
    clear();
}

void PeakPanel::addSet(const appcore::RunSetResult& result) {
    sets_.push_back({result.config.label(), result.peak, result.memoryMap, result.executedNodeNames});
    chooser_->addItem(result.config.label());
    chooser_->setCurrentIndex(chooser_->count() - 1);
    showSet(chooser_->count() - 1);
}

void PeakPanel::updateExplanation(int set, std::shared_ptr<const interstage::PeakExplanation> peak) {
    if (set < 0 || set >= int(sets_.size())) return;
    sets_[size_t(set)].peak = std::move(peak);
    if (set == currentSet()) showSet(set);
}

void PeakPanel::clear() {
    sets_.clear();
    chooser_->clear();
    live_->setRowCount(0);
    summary_->setText(tr("Run a set to see why its plan peaks where it does."));
    bounds_->clear();
    costs_->clear();
    planCosts_->hide();
}

int PeakPanel::currentSet() const { return chooser_->currentIndex(); }
QString PeakPanel::summaryText() const { return summary_->text(); }
QString PeakPanel::boundsText() const { return bounds_->text(); }
QString PeakPanel::costsText() const { return costs_->text(); }

void PeakPanel::showSet(int set) {
    live_->setRowCount(0);
    if (set < 0 || set >= int(sets_.size())) return;
    const Set& s = sets_[size_t(set)];
    if (s.peak)
        showExplanation(*s.peak);
    else
        showFromMap(s);
}

void PeakPanel::addRow(const QString& bytes, qint64 counted, const QString& tensor, const QString& reason,
                       const QString& producer, const QString& lastReader) {
    const int row = live_->rowCount();
    live_->insertRow(row);
    auto* bytesItem = new QTableWidgetItem(bytes);
    bytesItem->setData(Qt::UserRole, counted);
    bytesItem->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    live_->setItem(row, Bytes, bytesItem);
    live_->setItem(row, Tensor, new QTableWidgetItem(tensor));
    auto* reasonItem = new QTableWidgetItem(reason);
    reasonItem->setToolTip(reason);  // a long reason is elided in its column
    live_->setItem(row, Reason, reasonItem);
    live_->setItem(row, Producer, new QTableWidgetItem(producer));
    live_->setItem(row, LastReader, new QTableWidgetItem(lastReader));
}

void PeakPanel::showExplanation(const interstage::PeakExplanation& e) {
    if (e.peakStep < 0) {
        summary_->setText(tr("<b>%1</b>: the plan places no tensor (no intermediates, or shapes known only "
                             "while running).")
                              .arg(QString::fromStdString(e.mode).toHtmlEscaped()));
        bounds_->clear();
        costs_->clear();
        planCosts_->hide();
        return;
    }
    summary_->setText(
        tr("<b>%1</b>: the plan's live tensors peak at <b>%2</b> at step %3, node <b>%4</b> (%5). "
           "The rows below add up to it; in-place members count once, in their host.")
            .arg(QString::fromStdString(e.mode).toHtmlEscaped(), bytesText(double(e.planPeakBytes)))
            .arg(e.peakStep)
            .arg(QString::fromStdString(e.peakNode).toHtmlEscaped(), QString::fromStdString(e.peakOp).toHtmlEscaped()));
    for (const interstage::LiveTensorAtPeak& t : e.liveAtPeak) {
        QString bytes = bytesText(double(t.bytes));
        if (t.bytes != t.tensorBytes) bytes += tr(" of %1").arg(bytesText(double(t.tensorBytes)));
        addRow(bytes, qint64(t.bytes), QString::fromStdString(t.name), QString::fromStdString(t.reason),
               QString::fromStdString(t.producer), QString::fromStdString(t.lastReader));
    }
    live_->resizeColumnToContents(Bytes);
    live_->resizeColumnToContents(Tensor);
    bounds_->setText(tableOf(
        {{tr("Plan peak (live tensors)"), bytesText(double(e.planPeakBytes))},
         {tr("Lower bound (graph as written)"), bytesText(double(e.lowerBoundBytes))},
         {tr("Lower bound (executed graph as written)"), bytesText(double(e.executedLowerBoundBytes))},
         {tr("Lower bound (in-place rules in effect)"), bytesText(double(e.aliasedLowerBoundBytes))},
         {tr("Lower bound of the file's order (reduce, no workspace)"), bytesText(double(e.fileOrderPeakBytes))},
         {tr("Lower bound of the best order found (same)"), bytesText(double(e.bestOrderPeakBytes))},
         {tr("Buffers at their worst step"), bytesText(double(e.bufferPeakBytes))},
         {tr("Fragmentation (buffers − live peak)"), bytesText(double(e.fragmentationBytes))}}));
    if (!e.costsPlanned) {
        costs_->setText(tr("What each pin and each in-place rule costs at the peak: not planned yet."));
        planCosts_->show();
        return;
    }
    planCosts_->hide();
    QString text = e.pinnedCost.empty() ? tr("<p>No tensor pinned.</p>")
                                        : costLines(tr("What each pinned tensor costs at the peak:"), e.pinnedCost);
    text += e.inPlaceCost.empty() ? tr("<p>No in-place rule acts in this mode.</p>")
                                  : costLines(tr("What turning each in-place rule off would add:"), e.inPlaceCost);
    costs_->setText(text);
}

// A set restored from a saved session has its plan but not the session:
// the peak and its tensors from the map, without reasons.
void PeakPanel::showFromMap(const Set& set) {
    const interstage::LivePeak peak = interstage::peakOfLiveTensors(set.map);
    const QString node = peak.step >= 0 && size_t(peak.step) < set.nodeNames.size()
                             ? QString::fromStdString(set.nodeNames[size_t(peak.step)])
                             : QString();
    summary_->setText(tr("<b>%1</b>: live tensors peak at <b>%2</b> at step %3, node <b>%4</b>. Why each is "
                         "alive, the bounds and the costs are not saved in session files: run the set again.")
                          .arg(set.label.toHtmlEscaped(), bytesText(double(peak.bytes)))
                          .arg(peak.step)
                          .arg(node.toHtmlEscaped()));
    for (std::size_t i : peak.tensors) {
        const interstage::TensorPlacement& p = set.map[i];
        addRow(bytesText(double(p.bytes)), qint64(p.bytes), QString::fromStdString(p.name), tr("not saved"), {}, {});
    }
    bounds_->clear();
    costs_->clear();
    planCosts_->hide();
}

}  // namespace widgets
