#include "export_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QPainter>
#include <QPixmap>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>

namespace {

// The preview's width on screen; the figure is drawn at its own size and
// scaled down, so fonts and margins look as they will in the file.
constexpr int kPreviewWidth = 560;

int lastIndex(int requested, int count) { return requested < 0 || requested >= count ? count - 1 : requested; }

}  // namespace

ChartExportDialog::ChartExportDialog(std::shared_ptr<const interstage::SavedSession> session,
                                     const report::FigureOptions& options, QWidget* parent)
    : QDialog(parent), session_(std::move(session)), hiddenOverlays_(options.hiddenOverlays) {
    setWindowTitle(tr("Export chart"));
    kind_ = new QComboBox(this);
    kind_->addItem(tr("Memory timeline"), int(report::ChartKind::Timeline));
    kind_->addItem(tr("Memory map"), int(report::ChartKind::MemoryMap));
    kind_->addItem(tr("Timings"), int(report::ChartKind::Timings));
    kind_->setCurrentIndex(kind_->findData(int(options.kind)));
    set_ = new QComboBox(this);
    for (const auto& set : session_->runSets) set_->addItem(QString::fromStdString(set.label));
    set_->setCurrentIndex(lastIndex(options.set, set_->count()));
    run_ = new QSpinBox(this);
    run_->setSpecialValueText(tr("last"));
    style_ = new QComboBox(this);
    style_->addItem(tr("Light (colour, screens and slides)"), int(report::Style::Light));
    style_->addItem(tr("Print (greyscale-safe)"), int(report::Style::Print));
    style_->setCurrentIndex(style_->findData(int(options.style)));
    target_ = new QComboBox(this);
    target_->addItem(tr("Slide, 1920 x 1080 px"), int(report::Target::Slide));
    target_->addItem(tr("Paper column, 85 mm wide"), int(report::Target::Column));
    target_->addItem(tr("Custom size"), int(report::Target::Custom));
    target_->setCurrentIndex(target_->findData(int(options.target)));
    width_ = new QSpinBox(this);
    height_ = new QSpinBox(this);
    for (QSpinBox* box : {width_, height_}) {
        box->setRange(200, 8000);
        box->setSuffix(tr(" px"));
    }
    width_->setValue(options.size.isEmpty() ? 1200 : int(options.size.width()));
    height_->setValue(options.size.isEmpty() ? 700 : int(options.size.height()));
    dpi_ = new QDoubleSpinBox(this);
    dpi_->setRange(72, 1200);
    dpi_->setDecimals(0);
    dpi_->setValue(options.dpi);
    overlays_ = new QCheckBox(tr("Earlier run sets as lines (as the timeline shows them)"), this);
    overlays_->setChecked(options.overlays);
    size_ = new QLabel(this);
    preview_ = new QLabel(this);
    // Names for tests and accessibility tools.
    kind_->setObjectName("kind");
    set_->setObjectName("set");
    style_->setObjectName("style");
    target_->setObjectName("target");
    size_->setObjectName("outputSize");
    preview_->setObjectName("preview");
    preview_->setMinimumSize(kPreviewWidth, kPreviewWidth * 9 / 16);
    preview_->setAlignment(Qt::AlignCenter);
    preview_->setFrameShape(QFrame::StyledPanel);

    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(width_);
    sizeRow->addWidget(new QLabel(QStringLiteral("x"), this));
    sizeRow->addWidget(height_);
    auto* form = new QFormLayout;
    form->addRow(tr("Chart"), kind_);
    form->addRow(tr("Run set"), set_);
    form->addRow(tr("Run"), run_);
    form->addRow(tr("Style"), style_);
    form->addRow(tr("Size"), target_);
    form->addRow(tr("Custom size"), sizeRow);
    form->addRow(tr("Resolution (PNG)"), dpi_);
    form->addRow(QString(), overlays_);
    form->addRow(tr("Output"), size_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(preview_, 1);
    layout->addWidget(buttons);

    auto refresh = [this] {
        updateEnabled();
        updatePreview();
    };
    for (QComboBox* box : {kind_, set_, style_, target_}) connect(box, &QComboBox::currentIndexChanged, this, refresh);
    for (QSpinBox* box : {run_, width_, height_}) connect(box, &QSpinBox::valueChanged, this, refresh);
    connect(dpi_, &QDoubleSpinBox::valueChanged, this, refresh);
    connect(overlays_, &QCheckBox::toggled, this, refresh);
    updateEnabled();
    if (options.run > 0) run_->setValue(options.run);
    updatePreview();
}

report::FigureOptions ChartExportDialog::options() const {
    report::FigureOptions o;
    o.kind = report::ChartKind(kind_->currentData().toInt());
    o.style = report::Style(style_->currentData().toInt());
    o.target = report::Target(target_->currentData().toInt());
    o.size = QSizeF(width_->value(), height_->value());
    o.dpi = dpi_->value();
    o.set = set_->currentIndex();
    o.run = run_->value() == 0 ? -1 : run_->value();
    o.overlays = overlays_->isChecked();
    o.hiddenOverlays = hiddenOverlays_;
    return o;
}

QString ChartExportDialog::fileFilter() { return tr("PNG image (*.png);;SVG image (*.svg);;PDF document (*.pdf)"); }

void ChartExportDialog::updateEnabled() {
    const auto target = report::Target(target_->currentData().toInt());
    width_->setEnabled(target == report::Target::Custom);
    height_->setEnabled(target == report::Target::Custom);
    const int set = set_->currentIndex();
    const int runs = set >= 0 && set < int(session_->runSets.size()) ? int(session_->runSets[set].runs.size()) : 0;
    // 0 is "last": the set's newest run, as the timeline shows it.
    run_->setRange(0, runs);
    const auto kind = report::ChartKind(kind_->currentData().toInt());
    run_->setEnabled(kind == report::ChartKind::Timeline && runs > 1);
    overlays_->setEnabled(kind == report::ChartKind::Timeline && session_->runSets.size() > 1);
}

void ChartExportDialog::updatePreview() {
    const report::FigureOptions o = options();
    const QSizeF pixels = report::figurePixelSize(o);
    size_->setText(tr("%1 x %2 px").arg(qRound(pixels.width())).arg(qRound(pixels.height())));
    // Drawn at a quarter of a slide's pixels at most: the preview needs the
    // layout, not every pixel, and a 300 dpi column would take a while.
    const double scale = std::min(1.0, double(kPreviewWidth) / pixels.width());
    QImage image((pixels * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.scale(scale, scale);
        report::drawFigure(painter, QRectF(QPointF(0, 0), pixels), *session_, o);
    }
    preview_->setPixmap(QPixmap::fromImage(image));
}
