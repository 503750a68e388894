// Run controls: backend, threads, the SDK's memory flags as checkboxes plus
// presets, layer fusion, input shapes, run count, Run / Stop / Compare.
#pragma once

#include <QWidget>
#include <vector>

#include "core/run_types.h"

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace widgets {

class RunPanel : public QWidget {
    Q_OBJECT
public:
    explicit RunPanel(QWidget* parent = nullptr);

    // The model's runtime inputs: name, declared shape ("1x3xHxW"), the
    // shape in use and the dtype. An editable shape field each, and a value
    // field for a small input (see kMaxTypedValues).
    void setInputs(const QStringList& names, const QStringList& declared, const QStringList& current,
                   const std::vector<interstage::DataType>& dtypes);
    // What the app's --input and --value set; false when there is no
    // such input.
    bool setInputShape(const QString& name, const QString& dims);
    bool setInputValues(const QString& name, const QString& values);

    // Typed values are for a model's small control inputs (a sample rate,
    // a flag, a threshold, a few indices): up to 16 elements (a 4x4 matrix)
    // fit a line edit and can be read back at a glance. A bigger input is
    // data (audio, an image): the CLI's --input-file gives it values.
    static constexpr int64_t kMaxTypedValues = 16;
    void setRunning(bool running);
    // Why the open model cannot run (weights not loaded, ops no backend
    // has); Run and Compare stay off and the reason is shown. Empty: none.
    void setBlocked(const QString& reason);
    QString blockedReason() const { return blocked_; }
    // Backend ids ("cpu", "vulkan:0") and what the user reads for each.
    void setBackends(const QStringList& ids, const QStringList& labels);
    QStringList backendIds() const;
    // Selects a backend by id; false when the list does not offer it.
    bool setBackend(const QString& id);

    // The configuration the controls show now; `error` is set when an input
    // shape or typed value does not parse or fit.
    appcore::RunConfig config(QString* error = nullptr) const;
    // Shows a configuration's settings (a restored session's panel): the
    // backend when this machine offers it, threads, memory flags, fusion,
    // order, in-place writes, layout, run count, kept tensors. Input shapes
    // and the budget are left as they are (run_panel_apply.cpp).
    void applyConfig(const appcore::RunConfig& config);
    void applyPreset(const QString& preset);  // a name of interstage::memoryPresets()
    void addKeep(const QString& tensor);      // "Pin this tensor" from the inspector
    void setRunCount(int runs);
    // Checks "Half-precision storage (GPU)"; false, unchanged, unless a
    // Vulkan backend is selected.
    bool setGpuFp16(bool on);
    void setBudgetMiB(int mib);  // a limit; 0: no budget
    void setBudgetAutomatic();   // the default: what the machine can give
    // "auto: 20.6 GiB (host: 21.7 GiB available ...)": the budget the
    // next run set is checked against, and where it comes from.
    QString budgetInUse() const;

signals:
    void runRequested();
    void stopRequested();
    void compareRequested();  // every preset, one run set each
    void planRequested();     // plan the configuration, do not run it

protected:
    void showEvent(QShowEvent* event) override;

private:
    void syncExclusive(QCheckBox* changed);
    void refreshBudget();
    enum BudgetKind { kBudgetAutomatic, kBudgetLimit, kBudgetNone };  // budgetKind_'s items

    QComboBox* backend_;
    QSpinBox* threads_;
    QCheckBox* reduceConstant_;
    QCheckBox* ignoreInputInitializer_;
    QCheckBox* reduceInterstage_;
    QCheckBox* reuseInterstage_;
    QCheckBox* arena_;
    QCheckBox* fusion_;
    QCheckBox* memoryAwareOrder_;
    QCheckBox* inPlace_;
    QCheckBox* blockedLayout_;
    QCheckBox* gpuFp16_;
    QSpinBox* runs_;
    QLabel* blockedLabel_ = nullptr;
    QString blocked_;
    bool running_ = false;
    QComboBox* budgetKind_;
    QSpinBox* budget_;
    QLabel* budgetInUse_;
    QLineEdit* keep_;
    QFormLayout* inputsForm_;
    void updateValueField(int input);

    QList<QLineEdit*> inputFields_;
    QList<QLineEdit*> valueFields_;
    QLabel* inputError_ = nullptr;
    QStringList inputNames_;
    std::vector<interstage::DataType> inputTypes_;
    QPushButton* run_;
    QPushButton* stop_;
    QPushButton* compare_;
    QPushButton* plan_ = nullptr;
};

}  // namespace widgets
