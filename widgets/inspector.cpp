#include "widgets/inspector.h"

#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLocale>
#include <QPixmap>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTextEdit>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

#include "interstage/format.h"

namespace widgets {
namespace {

QString bytesText(qint64 bytes) { return QString::fromStdString(interstage::formatBytes(double(bytes))); }

// Grayscale picture of channel 0 of a 1xCxHxW float tensor, scaled min..max.
QImage channelImage(const interstage::TensorData& t) {
    const int64_t h = t.shape[2], w = t.shape[3];
    const float* p = t.data<float>();
    float lo = std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::lowest();
    for (int64_t i = 0; i < h * w; ++i) {
        lo = std::min(lo, p[i]);
        hi = std::max(hi, p[i]);
    }
    const float range = hi > lo ? hi - lo : 1.f;
    QImage image(static_cast<int>(w), static_cast<int>(h), QImage::Format_Grayscale8);
    for (int64_t y = 0; y < h; ++y) {
        uchar* row = image.scanLine(static_cast<int>(y));
        for (int64_t x = 0; x < w; ++x) row[x] = static_cast<uchar>(255.f * (p[y * w + x] - lo) / range);
    }
    return image;
}

}  // namespace

Inspector::Inspector(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel(tr("Select a node in the graph"));
    title_->setWordWrap(true);
    title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(title_);

    auto* splitter = new QSplitter(Qt::Vertical);
    attributes_ = new QTableWidget(0, 2);
    attributes_->setHorizontalHeaderLabels({tr("Attribute"), tr("Value")});
    tensors_ = new QTableWidget(0, 5);
    tensors_->setHorizontalHeaderLabels({tr("Tensor"), tr("Type"), tr("Shape"), tr("Bytes"), tr("Lifetime")});
    for (QTableWidget* table : {attributes_, tensors_}) {
        table->horizontalHeader()->setStretchLastSection(true);
        table->verticalHeader()->hide();
        table->setEditTriggers(QAbstractItemView::NoEditTriggers);
        table->setSelectionBehavior(QAbstractItemView::SelectRows);
        splitter->addWidget(table);
    }
    connect(tensors_, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (auto* item = tensors_->item(row, 0)) emit tensorChosen(item->text());
    });

    auto* valueBox = new QWidget;
    auto* valueLayout = new QVBoxLayout(valueBox);
    valueLayout->setContentsMargins(0, 0, 0, 0);
    valueTitle_ = new QLabel(tr("Values"));
    values_ = new QTextEdit;
    values_->setReadOnly(true);
    image_ = new QLabel;
    image_->setAlignment(Qt::AlignCenter);
    pin_ = new QPushButton(tr("Pin this tensor"));
    pin_->setToolTip(tr("Keep this tensor readable after the next run, in every memory mode"));
    pin_->hide();
    connect(pin_, &QPushButton::clicked, this, [this] { emit pinRequested(shownTensor_); });
    valueLayout->addWidget(valueTitle_);
    valueLayout->addWidget(values_, 1);
    valueLayout->addWidget(image_);
    valueLayout->addWidget(pin_);
    splitter->addWidget(valueBox);
    layout->addWidget(splitter, 1);
}

void Inspector::showNode(const InspectedNode& node) {
    title_->setText(QString("<b>%1</b> &nbsp; %2%3")
                        .arg(node.op.toHtmlEscaped(), node.name.toHtmlEscaped(),
                             node.step >= 0 ? tr(" &nbsp; (step %1)").arg(node.step) : QString()));
    attributes_->setRowCount(node.attributes.size());
    for (int i = 0; i < node.attributes.size(); ++i) {
        attributes_->setItem(i, 0, new QTableWidgetItem(node.attributes[i].first));
        attributes_->setItem(i, 1, new QTableWidgetItem(node.attributes[i].second));
    }
    const int rows = static_cast<int>(node.inputs.size() + node.outputs.size());
    tensors_->setRowCount(rows);
    int row = 0;
    for (const auto* list : {&node.inputs, &node.outputs}) {
        for (const InspectedTensor& t : *list) {
            tensors_->setItem(row, 0, new QTableWidgetItem(t.name));
            tensors_->setItem(row, 1, new QTableWidgetItem(t.dtype));
            tensors_->setItem(row, 2, new QTableWidgetItem(t.shape));
            tensors_->setItem(row, 3, new QTableWidgetItem(bytesText(t.bytes)));
            tensors_->setItem(row, 4,
                              new QTableWidgetItem((list == &node.inputs ? tr("in · ") : tr("out · ")) + t.lifetime));
            ++row;
        }
    }
    tensors_->resizeColumnsToContents();
}

void Inspector::clearNode() {
    title_->setText(tr("Select a node in the graph"));
    attributes_->setRowCount(0);
    tensors_->setRowCount(0);
    values_->clear();
    image_->clear();
    pin_->hide();
}

void Inspector::showValues(const QString& tensor, const interstage::TensorData* values, const QString& unavailable,
                           bool removed) {
    shownTensor_ = tensor;
    valueTitle_->setText(tr("Values of <b>%1</b>").arg(tensor.toHtmlEscaped()));
    image_->clear();
    pin_->setVisible(removed);
    if (!values) {
        values_->setPlainText(unavailable);
        return;
    }
    const int64_t n = values->elementCount();
    QString text = tr("%1 %2, %3 elements\n")
                       .arg(QString::fromStdString(interstage::shapeToString(values->shape)),
                            interstage::dataTypeName(values->dtype))
                       .arg(n);
    if (n > 0 && values->dtype != interstage::DataType::String) {
        double lo = values->doubleAt(0), hi = lo, sum = 0, sq = 0;
        for (int64_t i = 0; i < n; ++i) {
            const double v = values->doubleAt(i);
            lo = std::min(lo, v);
            hi = std::max(hi, v);
            sum += v;
            sq += v * v;
        }
        const double mean = sum / double(n);
        text += tr("min %1  max %2  mean %3  std %4\n\n")
                    .arg(lo, 0, 'g', 6)
                    .arg(hi, 0, 'g', 6)
                    .arg(mean, 0, 'g', 6)
                    .arg(std::sqrt(std::max(0.0, sq / double(n) - mean * mean)), 0, 'g', 6);
        QStringList first;
        for (int64_t i = 0; i < std::min<int64_t>(n, 64); ++i) first << QString::number(values->doubleAt(i), 'g', 6);
        text += tr("first values:\n") + first.join("  ");
    }
    values_->setPlainText(text);
    if (values->dtype == interstage::DataType::Float && values->shape.size() == 4 && values->shape[0] == 1 &&
        values->shape[2] > 1 && values->shape[3] > 1) {
        QImage image = channelImage(*values);
        image_->setPixmap(QPixmap::fromImage(image.scaled(256, 256, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
        image_->setToolTip(tr("channel 0 of %1, scaled from its min to its max").arg(tensor));
    }
}

QString Inspector::valueText() const { return values_->toPlainText(); }
bool Inspector::pinButtonVisible() const { return !pin_->isHidden(); }

}  // namespace widgets
