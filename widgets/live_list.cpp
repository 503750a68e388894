#include "widgets/live_list.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include "interstage/format.h"

namespace widgets {

namespace {

enum Column { kName, kBytes, kProducer, kLastReader, kFlags, kColumns };

QString bytesText(std::size_t bytes) { return QString::fromStdString(interstage::formatBytes(double(bytes))); }

QString flagsOf(const appcore::LiveRow& row) {
    QStringList flags;
    if (row.kept) flags << QObject::tr("pinned");
    if (row.inPlace) flags << QObject::tr("in place");
    if (row.heldForInputs) flags << QObject::tr("held for its inputs");
    if (row.freedAfter) flags << QObject::tr("freed after this step");
    return flags.join(QStringLiteral(", "));
}

QTableWidgetItem* cell(const QString& text, const QString& tip = QString()) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setToolTip(tip.isEmpty() ? text : tip);
    return item;
}

}  // namespace

LiveList::LiveList(QWidget* parent) : QWidget(parent) {
    title_ = new QLabel(tr("Live now"));
    QFont bold = title_->font();
    bold.setBold(true);
    title_->setFont(bold);
    table_ = new QTableWidget(0, kColumns);
    table_->setObjectName("liveTable");
    table_->setHorizontalHeaderLabels({tr("Tensor"), tr("Bytes"), tr("Producer"), tr("Last reader"), tr("Flags")});
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setDefaultSectionSize(20);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setColumnWidth(kName, 200);
    table_->setColumnWidth(kBytes, 80);
    table_->setColumnWidth(kProducer, 150);
    table_->setColumnWidth(kLastReader, 150);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    sum_ = new QLabel;
    sum_->setObjectName("liveSum");
    sum_->setStyleSheet("color: #5f6368;");
    auto* header = new QHBoxLayout;
    header->setContentsMargins(4, 0, 4, 0);
    header->addWidget(title_);
    header->addSpacing(12);
    header->addWidget(sum_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 2, 0, 0);
    layout->addLayout(header);
    layout->addWidget(table_, 1);
    connect(table_, &QTableWidget::cellClicked, this,
            [this](int row, int) { emit tensorClicked(table_->item(row, kName)->text()); });
    clear();
}

void LiveList::showStep(const appcore::StepState& state) {
    table_->setRowCount(int(state.live.size()));
    sumBytes_ = 0;
    int inPlace = 0;
    for (int r = 0; r < int(state.live.size()); ++r) {
        const appcore::LiveRow& row = state.live[size_t(r)];
        table_->setItem(r, kName, cell(row.name));
        QTableWidgetItem* bytes =
            cell(bytesText(row.bytes), row.countedBytes == row.bytes ? QString()
                                                                     : tr("%1 of it counted here (the rest inside "
                                                                          "another live tensor's bytes)")
                                                                           .arg(bytesText(row.countedBytes)));
        bytes->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        table_->setItem(r, kBytes, bytes);
        table_->setItem(r, kProducer, cell(row.producer));
        table_->setItem(r, kLastReader, cell(row.lastReader));
        table_->setItem(r, kFlags, cell(flagsOf(row)));
        sumBytes_ += row.countedBytes;
        inPlace += row.inPlace ? 1 : 0;
    }
    QString text = tr("%n tensor(s), %1 alive", nullptr, int(state.live.size())).arg(bytesText(sumBytes_));
    if (inPlace > 0) text += tr(" (%n written in place, counted in their host)", nullptr, inPlace);
    sum_->setText(text);
}

void LiveList::clear() {
    table_->setRowCount(0);
    sumBytes_ = 0;
    sum_->setText(tr("plan or run a model, then step through it"));
}

QStringList LiveList::names() const {
    QStringList out;
    for (int r = 0; r < table_->rowCount(); ++r) out << table_->item(r, kName)->text();
    return out;
}

QString LiveList::sumText() const { return sum_->text(); }

}  // namespace widgets
