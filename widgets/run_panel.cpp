#include "widgets/run_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include "interstage/input_values.h"
#include "interstage/memory_budget.h"

namespace widgets {

RunPanel::RunPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);

    auto* device = new QGroupBox(tr("Device"));
    auto* deviceForm = new QFormLayout(device);
    backend_ = new QComboBox;
    backend_->addItem("cpu");
    threads_ = new QSpinBox;
    threads_->setRange(0, 256);
    threads_->setValue(QThread::idealThreadCount());
    threads_->setSpecialValueText(tr("all cores"));
    // fp16 storage needs a Vulkan device: enabled only while one is picked.
    gpuFp16_ = new QCheckBox(tr("Half-precision storage (GPU)"));
    gpuFp16_->setObjectName("gpuFp16");
    gpuFp16_->setToolTip(
        tr("Vulkan: float32 tensors and weights are stored as float16 on the device, which halves "
           "their device memory; the shaders still compute in float32 (outputs differ by float16 "
           "rounding)"));
    gpuFp16_->setEnabled(false);
    deviceForm->addRow(tr("Backend"), backend_);
    deviceForm->addRow(tr("Threads"), threads_);
    deviceForm->addRow(gpuFp16_);
    layout->addWidget(device);

    auto* memory = new QGroupBox(tr("Memory mode"));
    auto* memoryLayout = new QVBoxLayout(memory);
    // One button per preset of the engine's list (the CLI's compare runs
    // the same), three to a row.
    auto* presets = new QGridLayout;
    int index = 0;
    for (const interstage::MemoryPreset& p : interstage::memoryPresets()) {
        const QString name = QString::fromLatin1(p.name);
        auto* button = new QPushButton(name.left(1).toUpper() + name.mid(1));
        button->setObjectName("preset:" + name);
        button->setToolTip(tr("Set the flags of the %1 preset: get_memory_mode(%2), as the SDK tutorial runs it")
                               .arg(name, QString::fromStdString(interstage::sdkFlags(p.mode))));
        connect(button, &QPushButton::clicked, this, [this, name] { applyPreset(name); });
        presets->addWidget(button, index / 3, index % 3);
        ++index;
    }
    memoryLayout->addLayout(presets);
    reduceConstant_ = new QCheckBox(tr("Reduce constant"));
    reduceConstant_->setToolTip(tr("Release the original weights once a kernel holds its own packed copy"));
    ignoreInputInitializer_ = new QCheckBox(tr("Ignore input with initializer"));
    ignoreInputInitializer_->setToolTip(tr("Initializers also listed as graph inputs count as constants"));
    reduceInterstage_ = new QCheckBox(tr("Reduce interstage"));
    reduceInterstage_->setToolTip(
        tr("Allocate each tensor before its producer and free it after its last use, every run"));
    reuseInterstage_ = new QCheckBox(tr("Reuse interstage"));
    reuseInterstage_->setToolTip(tr("Tensors of equal size whose lifetimes do not overlap share a buffer"));
    arena_ = new QCheckBox(tr("Planned arena"));
    arena_->setToolTip(tr("One slab allocated once; every tensor at a planned offset (greedy by size)"));
    fusion_ = new QCheckBox(tr("Layer fusion"));
    fusion_->setChecked(true);
    fusion_->setToolTip(tr("Fold BatchNorm into Conv and activations into their producer"));
    memoryAwareOrder_ = new QCheckBox(tr("Memory-aware order"));
    memoryAwareOrder_->setChecked(true);
    memoryAwareOrder_->setToolTip(
        tr("Run a node that frees at least what it allocates as soon as it can, where that "
           "lowers the peak of live tensors; off: the file's node order"));
    inPlace_ = new QCheckBox(tr("In-place writes"));
    inPlace_->setObjectName("inPlaceWrites");
    inPlace_->setChecked(true);
    inPlace_->setToolTip(
        tr("Planning modes: Concat inputs written into their Concat's output (or, in reduce, their "
           "pages handed over), and ops written over an input that dies at them; off: every tensor "
           "its own buffer, as in the SDK"));
    blockedLayout_ = new QCheckBox(tr("Channel-blocked layout"));
    blockedLayout_->setObjectName("blockedLayout");
    blockedLayout_->setChecked(true);
    blockedLayout_->setToolTip(
        tr("CPU: tensors that only pass between convolutions are stored with channels in blocks, as "
           "oneDNN's fast kernels read them (no reorders); off: every tensor NCHW"));
    for (QCheckBox* box : {reduceConstant_, ignoreInputInitializer_, reduceInterstage_, reuseInterstage_, arena_,
                           fusion_, memoryAwareOrder_, inPlace_, blockedLayout_})
        memoryLayout->addWidget(box);
    for (QCheckBox* box : {reduceInterstage_, reuseInterstage_, arena_})
        connect(box, &QCheckBox::toggled, this, [this, box] { syncExclusive(box); });
    layout->addWidget(memory);

    auto* inputs = new QGroupBox(tr("Inputs"));
    auto* inputsLayout = new QVBoxLayout(inputs);
    inputsForm_ = new QFormLayout;
    inputsLayout->addLayout(inputsForm_);
    // Why the last Run refused the inputs, next to the fields to fix.
    inputError_ = new QLabel;
    inputError_->setObjectName("inputError");
    inputError_->setWordWrap(true);
    inputError_->setStyleSheet("color: #C62828;");
    inputError_->hide();
    inputsLayout->addWidget(inputError_);
    layout->addWidget(inputs);

    auto* runBox = new QGroupBox(tr("Run"));
    auto* runForm = new QFormLayout(runBox);
    runs_ = new QSpinBox;
    runs_->setRange(1, 1000);
    runs_->setValue(3);
    keep_ = new QLineEdit;
    keep_->setPlaceholderText(tr("tensor names, comma separated"));
    keep_->setToolTip(tr("Pinned tensors stay readable after a run in every mode"));
    // The memory guard: automatic (what the machine can give), a limit
    // the user sets, or none; the line below says what is in use.
    budgetKind_ = new QComboBox;
    budgetKind_->setObjectName("budgetKind");
    budgetKind_->addItem(tr("Automatic"));
    budgetKind_->addItem(tr("Limit"));
    budgetKind_->addItem(tr("None"));
    budgetKind_->setToolTip(
        tr("A plan that needs more memory than the budget is refused before anything is allocated. "
           "Automatic: the host's available memory less a margin (Vulkan: the device's heap)"));
    budget_ = new QSpinBox;
    budget_->setObjectName("budgetMiB");
    budget_->setRange(1, 1 << 20);
    budget_->setValue(1024);
    budget_->setSuffix(" MiB");
    budget_->setEnabled(false);
    budgetInUse_ = new QLabel;
    budgetInUse_->setObjectName("budgetInUse");
    budgetInUse_->setWordWrap(true);
    auto* budgetRow = new QHBoxLayout;
    budgetRow->addWidget(budgetKind_);
    budgetRow->addWidget(budget_, 1);
    runForm->addRow(tr("Runs"), runs_);
    runForm->addRow(tr("Budget"), budgetRow);
    runForm->addRow(budgetInUse_);
    runForm->addRow(tr("Pin"), keep_);
    auto* buttons = new QHBoxLayout;
    run_ = new QPushButton(tr("Run"));
    run_->setDefault(true);
    run_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    stop_ = new QPushButton(tr("Stop"));
    stop_->setEnabled(false);
    compare_ = new QPushButton(tr("Compare presets"));
    compare_->setToolTip(tr("One run set for each memory preset: Default, Reduce, Reuse, Reduce + reuse and Arena"));
    plan_ = new QPushButton(tr("Plan"));
    plan_->setObjectName("planButton");
    plan_->setToolTip(tr("Plan this configuration without running it: the memory map and the step-through, no times"));
    connect(plan_, &QPushButton::clicked, this, &RunPanel::planRequested);
    buttons->addWidget(run_);
    buttons->addWidget(plan_);
    buttons->addWidget(stop_);
    runForm->addRow(buttons);
    runForm->addRow(compare_);
    blockedLabel_ = new QLabel;
    blockedLabel_->setObjectName("runBlocked");
    blockedLabel_->setWordWrap(true);
    blockedLabel_->setStyleSheet("color: #C62828;");
    blockedLabel_->hide();
    runForm->addRow(blockedLabel_);
    layout->addWidget(runBox);
    layout->addStretch(1);

    connect(budgetKind_, &QComboBox::currentIndexChanged, this, [this] {
        budget_->setEnabled(budgetKind_->currentIndex() == kBudgetLimit);
        refreshBudget();
    });
    connect(budget_, &QSpinBox::valueChanged, this, [this] { refreshBudget(); });
    connect(backend_, &QComboBox::currentIndexChanged, this, [this] {
        gpuFp16_->setEnabled(config().session.backend.rfind("vulkan", 0) == 0);
        refreshBudget();
    });
    refreshBudget();

    connect(run_, &QPushButton::clicked, this, &RunPanel::runRequested);
    connect(stop_, &QPushButton::clicked, this, &RunPanel::stopRequested);
    connect(compare_, &QPushButton::clicked, this, &RunPanel::compareRequested);
}

void RunPanel::syncExclusive(QCheckBox* changed) {
    // The arena plans every tensor itself; it does not combine with the
    // SDK's reduce / reuse flags.
    if (!changed->isChecked()) return;
    if (changed == arena_) {
        reduceInterstage_->setChecked(false);
        reuseInterstage_->setChecked(false);
    } else {
        arena_->setChecked(false);
    }
}

void RunPanel::applyPreset(const QString& preset) {
    const interstage::MemoryMode* mode = nullptr;
    for (const interstage::MemoryPreset& p : interstage::memoryPresets())
        if (preset == QLatin1String(p.name)) mode = &p.mode;
    if (!mode) return;
    // The seed's configurations set the constant flags too.
    reduceConstant_->setChecked(mode->reduceConstant);
    ignoreInputInitializer_->setChecked(mode->ignoreInputWithInitializer);
    reduceInterstage_->setChecked(mode->reduceInterstage());
    reuseInterstage_->setChecked(mode->reuseInterstage());
    arena_->setChecked(mode->planner == interstage::PlannerKind::Arena);
}

void RunPanel::addKeep(const QString& tensor) {
    QStringList names = keep_->text().split(',', Qt::SkipEmptyParts);
    for (QString& n : names) n = n.trimmed();
    if (!names.contains(tensor)) names << tensor;
    keep_->setText(names.join(", "));
}

void RunPanel::setRunCount(int runs) { runs_->setValue(runs); }
void RunPanel::setBudgetMiB(int mib) {
    if (mib > 0) budget_->setValue(mib);
    budgetKind_->setCurrentIndex(mib > 0 ? kBudgetLimit : kBudgetNone);
}

void RunPanel::setBudgetAutomatic() { budgetKind_->setCurrentIndex(kBudgetAutomatic); }

QString RunPanel::budgetInUse() const { return budgetInUse_->text(); }

// What the next run set is checked against, as the engine resolves it now
// (the available memory changes; shown again when the panel is shown).
void RunPanel::refreshBudget() {
    const int kind = budgetKind_->currentIndex();
    const bool onDevice = config().session.backend.rfind("vulkan", 0) == 0;
    if (kind == kBudgetNone) {
        budgetInUse_->setText(tr("none: plans are not checked"));
    } else if (kind == kBudgetAutomatic && onDevice) {
        budgetInUse_->setText(tr("auto: the device-local heap (read when the device opens)"));
    } else {
        const interstage::MemoryBudget budget = interstage::resolveMemoryBudget(
            kind == kBudgetLimit ? static_cast<std::size_t>(budget_->value()) << 20 : 0, true);
        budgetInUse_->setText((budget.automatic ? tr("auto: %1") : tr("limit: %1"))
                                  .arg(QString::fromStdString(interstage::describeMemoryBudget(budget))));
    }
}

void RunPanel::showEvent(QShowEvent* event) {
    refreshBudget();
    QWidget::showEvent(event);
}

void RunPanel::setInputs(const QStringList& names, const QStringList& declared, const QStringList& current,
                         const std::vector<interstage::DataType>& dtypes) {
    while (inputsForm_->rowCount() > 0) inputsForm_->removeRow(0);
    inputFields_.clear();
    valueFields_.clear();
    inputNames_ = names;
    inputTypes_ = dtypes;
    inputTypes_.resize(size_t(names.size()), interstage::DataType::Undefined);
    for (int i = 0; i < names.size(); ++i) {
        auto* field = new QLineEdit(current.value(i));
        field->setObjectName("shape:" + names[i]);
        field->setToolTip(tr("Declared %1; dims separated by x (\"scalar\" for rank 0)").arg(declared.value(i)));
        auto* values = new QLineEdit;
        values->setObjectName("value:" + names[i]);
        values->setPlaceholderText(tr("generated"));
        auto* row = new QHBoxLayout;
        row->addWidget(field, 2);
        row->addWidget(values, 1);
        inputsForm_->addRow(names[i], row);
        inputFields_ << field;
        valueFields_ << values;
        connect(field, &QLineEdit::textChanged, this, [this, i] { updateValueField(i); });
        updateValueField(i);
    }
}

// The value field takes values while the shape field holds a small shape
// of a number or bool type; otherwise it is off (its text kept for when
// the shape is small again) and says why.
void RunPanel::updateValueField(int input) {
    QLineEdit* values = valueFields_.value(input);
    if (!values) return;
    const interstage::DataType dtype = inputTypes_[size_t(input)];
    const bool typable = dtype != interstage::DataType::String && dtype != interstage::DataType::Undefined &&
                         dtype != interstage::DataType::Complex64 && dtype != interstage::DataType::Complex128;
    auto shape = interstage::parseShape(inputFields_[input]->text().trimmed().toStdString());
    const auto count = shape.ok() ? interstage::elementCount(shape.value()) : std::nullopt;
    const bool small = count && *count <= kMaxTypedValues;
    values->setEnabled(typable && small);
    if (!typable)
        values->setToolTip(tr("Values cannot be typed for a %1 input").arg(interstage::dataTypeName(dtype)));
    else if (!small)
        values->setToolTip(tr("Values can be typed for inputs of at most %1 elements; this one gets a generated "
                              "pattern")
                               .arg(kMaxTypedValues));
    else
        values->setToolTip(tr("%1, comma separated (%2), used for every run; empty: a generated pattern")
                               .arg(*count == 1 ? tr("One value") : tr("%1 values").arg(*count))
                               .arg(interstage::isFloatingType(dtype)     ? tr("numbers")
                                    : dtype == interstage::DataType::Bool ? tr("0, 1, true or false")
                                                                          : tr("whole numbers")));
}

bool RunPanel::setInputShape(const QString& name, const QString& dims) {
    const int i = int(inputNames_.indexOf(name));
    if (i < 0) return false;
    inputFields_[i]->setText(dims);
    return true;
}

bool RunPanel::setInputValues(const QString& name, const QString& values) {
    const int i = int(inputNames_.indexOf(name));
    if (i < 0) return false;
    valueFields_[i]->setText(values);
    return true;
}

void RunPanel::setRunning(bool running) {
    running_ = running;
    run_->setEnabled(!running && blocked_.isEmpty());
    compare_->setEnabled(!running && blocked_.isEmpty());
    if (plan_) plan_->setEnabled(!running && blocked_.isEmpty());
    stop_->setEnabled(running);
}

void RunPanel::setBlocked(const QString& reason) {
    blocked_ = reason;
    blockedLabel_->setText(tr("Cannot run: %1").arg(reason));
    blockedLabel_->setVisible(!reason.isEmpty());
    run_->setToolTip(reason);
    compare_->setToolTip(reason.isEmpty() ? tr("One run set for each memory preset: Default, Reduce, Reuse, "
                                               "Reduce + reuse and Arena")
                                          : reason);
    setRunning(running_);
}

void RunPanel::setBackends(const QStringList& ids, const QStringList& labels) {
    backend_->clear();
    for (int i = 0; i < ids.size(); ++i) backend_->addItem(labels.value(i, ids[i]), ids[i]);
}

QStringList RunPanel::backendIds() const {
    QStringList ids;
    for (int i = 0; i < backend_->count(); ++i)
        ids << (backend_->itemData(i).isValid() ? backend_->itemData(i).toString() : backend_->itemText(i));
    return ids;
}

bool RunPanel::setBackend(const QString& id) {
    const int index = backendIds().indexOf(id);
    if (index >= 0) backend_->setCurrentIndex(index);
    return index >= 0;
}

appcore::RunConfig RunPanel::config(QString* error) const {
    appcore::RunConfig c;
    interstage::SessionOptions& s = c.session;
    s.backend = (backend_->currentData().isValid() ? backend_->currentData().toString() : backend_->currentText())
                    .toStdString();
    s.threads = threads_->value();
    s.mode = interstage::memoryMode(reduceConstant_->isChecked(), ignoreInputInitializer_->isChecked(),
                                    reduceInterstage_->isChecked(), reuseInterstage_->isChecked());
    if (arena_->isChecked()) s.mode.planner = interstage::PlannerKind::Arena;
    s.fusion = fusion_->isChecked();
    s.memoryAwareOrder = memoryAwareOrder_->isChecked();
    s.inPlaceConcat = s.inPlaceOps = inPlace_->isChecked();
    s.blockedLayout = blockedLayout_->isChecked();
    s.gpuFp16 = gpuFp16_->isEnabled() && gpuFp16_->isChecked();
    c.runs = runs_->value();
    s.maxMemoryBytes =
        budgetKind_->currentIndex() == kBudgetLimit ? static_cast<std::size_t>(budget_->value()) << 20 : 0;
    s.automaticBudget = budgetKind_->currentIndex() == kBudgetAutomatic;
    for (const QString& name : keep_->text().split(',', Qt::SkipEmptyParts))
        s.keep.push_back(name.trimmed().toStdString());
    QString problem;
    for (int i = 0; i < inputFields_.size(); ++i) {
        auto shape = interstage::parseShape(inputFields_[i]->text().trimmed().toStdString());
        if (!shape.ok()) {
            problem = tr("input %1: %2").arg(inputNames_[i], QString::fromStdString(shape.status().message()));
            continue;
        }
        const std::string name = inputNames_[i].toStdString();
        s.inputShapes[name] = shape.value();
        const QString typed = valueFields_[i]->text().trimmed();
        if (typed.isEmpty() || !valueFields_[i]->isEnabled()) continue;
        auto values = interstage::parseInputValues(name, inputTypes_[size_t(i)], shape.value(), typed.toStdString());
        if (!values.ok()) {
            problem = QString::fromStdString(values.status().message());
            continue;
        }
        c.inputs[name] = values.take();
    }
    inputError_->setText(problem);
    inputError_->setVisible(!problem.isEmpty());
    if (error) *error = problem;
    return c;
}

}  // namespace widgets
