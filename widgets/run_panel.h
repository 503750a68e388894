// Run controls: backend, threads, the SDK's memory flags as checkboxes plus
// presets, layer fusion, input shapes, run count, Run / Stop / Compare.
#pragma once

#include <QWidget>

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

    // The model's runtime inputs: name and declared shape ("1x3xHxW"), and
    // the shape in use. One editable field each.
    void setInputs(const QStringList& names, const QStringList& declared, const QStringList& current);
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
    // shape does not parse.
    appcore::RunConfig config(QString* error = nullptr) const;
    void applyPreset(const QString& preset);  // a name of interstage::memoryPresets()
    void addKeep(const QString& tensor);      // "Pin this tensor" from the inspector
    void setRunCount(int runs);
    void setBudgetMiB(int mib);  // 0: no budget

signals:
    void runRequested();
    void stopRequested();
    void compareRequested();  // every preset, one run set each

private:
    void syncExclusive(QCheckBox* changed);

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
    QSpinBox* runs_;
    QLabel* blockedLabel_ = nullptr;
    QString blocked_;
    bool running_ = false;
    QSpinBox* budget_;
    QLineEdit* keep_;
    QFormLayout* inputsForm_;
    QList<QLineEdit*> inputFields_;
    QStringList inputNames_;
    QPushButton* run_;
    QPushButton* stop_;
    QPushButton* compare_;
};

}  // namespace widgets
