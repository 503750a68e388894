#include "fit_explorer.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "widgets/chart_export.h"
#include "widgets/fit_chart.h"

namespace {

// A sweep that reads as the input's own kind of size: an image's side
// (N x C x S x S), a sequence's length (1 x S, 1 x S x hidden), else the
// batch; with a range people try for each.
std::pair<QString, QString> defaultSweep(const interstage::Shape& shape) {
    auto dim = [&](size_t i) { return QString::number(shape[i]); };
    if (shape.size() == 4) return {dim(0) + "x" + dim(1) + "xSxS", "64:1024:32"};
    if (shape.size() == 3) return {dim(0) + "xSx" + dim(2), "16:512:16"};
    if (shape.size() == 2) return {dim(0) + "xS", "16:512:16"};
    if (shape.size() == 1) return {"S", "16:512:16"};
    QString pattern = "S";
    for (size_t i = 1; i < shape.size(); ++i) pattern += "x" + dim(i);
    return {pattern, "1:32:1"};
}

}  // namespace

FitExplorer::FitExplorer(QWidget* parent) : QWidget(parent) {
    input_ = new QComboBox;
    pattern_ = new QLineEdit;
    pattern_->setToolTip(
        tr("The input's dims, S where the swept size goes: 1x3xSxS (image side), 1xS "
           "(sequence length), Sx3x224x224 (batch)"));
    range_ = new QLineEdit;
    range_->setToolTip(tr("LO:HI:STEP, the sizes S takes"));
    budget_ = new QDoubleSpinBox;
    budget_->setRange(1, 1024 * 1024);
    budget_->setDecimals(1);
    budget_->setSuffix(tr(" MiB"));
    budget_->setValue(200);
    planButton_ = new QPushButton(tr("Plan"));
    auto* exportButton = new QPushButton(tr("Export..."));
    progress_ = new QProgressBar;
    progress_->hide();
    status_ = new QLabel(tr("Open a model to see what fits."));
    status_->setWordWrap(true);
    chart_ = new widgets::FitChart;

    auto* fields = new QHBoxLayout;
    auto* form = new QFormLayout;
    form->addRow(tr("Target"), budget_);
    form->addRow(tr("Input"), input_);
    auto* form2 = new QFormLayout;
    form2->addRow(tr("Dims"), pattern_);
    form2->addRow(tr("Sizes"), range_);
    fields->addLayout(form);
    fields->addLayout(form2);
    auto* buttons = new QVBoxLayout;
    buttons->addWidget(planButton_);
    buttons->addWidget(exportButton);
    fields->addLayout(buttons);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(fields);
    layout->addWidget(progress_);
    layout->addWidget(status_);
    layout->addWidget(chart_, 1);

    connect(planButton_, &QPushButton::clicked, this, [this] { plan(); });
    connect(exportButton, &QPushButton::clicked, this, &FitExplorer::exportChart);
    // The budget only moves the line and the largest sizes: no new plans.
    connect(budget_, &QDoubleSpinBox::valueChanged, this,
            [this](double mib) { chart_->setBudget(static_cast<std::size_t>(mib * 1024 * 1024)); });
    connect(input_, &QComboBox::currentIndexChanged, this, [this](int) {
        const auto shape = input_->currentData().value<QList<qlonglong>>();
        const auto [pattern, range] = defaultSweep(interstage::Shape(shape.begin(), shape.end()));
        pattern_->setText(pattern);
        range_->setText(range);
    });
    chart_->setBudget(static_cast<std::size_t>(budget_->value() * 1024 * 1024));
}

FitExplorer::~FitExplorer() {
    cancel();
    if (watcher_) watcher_->waitForFinished();
}

void FitExplorer::setModel(std::shared_ptr<const interstage::Model> model, const interstage::Graph& resolved) {
    cancel();
    model_ = std::move(model);
    planned_ = false;
    chart_->clear();
    input_->clear();
    for (interstage::ValueId id : resolved.runtimeInputs()) {
        const interstage::Value& v = resolved.value(id);
        input_->addItem(QString::fromStdString(v.name),
                        QVariant::fromValue(QList<qlonglong>(v.shape.begin(), v.shape.end())));
    }
    status_->setText(model_ ? tr("Plan to see each preset's peak over the size (nothing runs).")
                            : tr("Open a model to see what fits."));
}

void FitExplorer::setBudgetMiB(double mib) { budget_->setValue(mib); }

void FitExplorer::setSweep(const QString& input, const QString& pattern, const QString& range) {
    input_->setCurrentText(input);
    pattern_->setText(pattern);
    range_->setText(range);
}

QString FitExplorer::statusText() const { return status_->text(); }

bool FitExplorer::plan() {
    if (!model_ || watcher_) return false;
    auto spec = interstage::parseSweep((input_->currentText() + "=" + pattern_->text()).toStdString(),
                                       range_->text().toStdString());
    if (!spec.ok()) {
        status_->setText(QString::fromStdString(spec.status().message()));
        return false;
    }
    dimension_ = tr("S in %1 = %2").arg(input_->currentText(), pattern_->text());
    interstage::SweepOptions options;
    options.budgetBytes = static_cast<std::size_t>(budget_->value() * 1024 * 1024);
    stop_ = std::make_shared<std::atomic<bool>>(false);
    result_ = std::make_shared<std::optional<interstage::Result<interstage::PlanSweep>>>();
    // Progress crosses to the UI thread queued; the worker never touches a widget.
    QPointer<QProgressBar> bar = progress_;
    options.progress = [bar, stop = stop_](int done, int total) {
        QMetaObject::invokeMethod(
            bar, [bar, done, total] { bar->setRange(0, total), bar->setValue(done); }, Qt::QueuedConnection);
        return !stop->load();
    };
    progress_->setValue(0);
    progress_->show();
    planButton_->setEnabled(false);
    planned_ = true;
    status_->setText(tr("Planning %1 sizes...").arg(spec->sizes().size()));
    watcher_ = new QFutureWatcher<void>(this);
    connect(watcher_, &QFutureWatcher<void>::finished, this, &FitExplorer::finish);
    watcher_->setFuture(QtConcurrent::run([model = model_, spec = spec.take(), options, result = result_] {
        *result = interstage::sweepPlans(*model, spec, options);
    }));
    return true;
}

void FitExplorer::cancel() {
    if (stop_) stop_->store(true);
}

void FitExplorer::finish() {
    watcher_->deleteLater();
    watcher_ = nullptr;
    progress_->hide();
    planButton_->setEnabled(true);
    // A sweep cancelled because the model changed is not this model's.
    if (stop_ && stop_->load()) {
        planned_ = false;
        if (model_ && isVisible()) plan();  // the new model's, now that the worker is free
        return;
    }
    if (!result_ || !result_->has_value()) return;
    const auto& result = result_->value();
    if (!result.ok()) {
        status_->setText(QString::fromStdString(result.status().message()));
        emit planned();
        return;
    }
    chart_->setSweep(result.value(), dimension_);
    int failed = 0;
    if (!result->presets.empty())
        for (const interstage::SweepPoint& p : result->presets.front().points) failed += p.planned() ? 0 : 1;
    status_->setText(failed ? tr("%1 sizes did not plan (the graph cannot take them): gaps in the curves.").arg(failed)
                            : tr("Planned peak of each preset, as the memory guard checks it before a run."));
    emit planned();
}

void FitExplorer::exportChart() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the fit chart"), "fit.png",
                                                      tr("Images (*.png *.svg *.pdf *.jpg)"));
    if (path.isEmpty()) return;
    QString error;
    if (!widgets::exportChart(chart_->plot(), path, &error)) status_->setText(error);
}
