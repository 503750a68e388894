// RunPanel::applyConfig, apart from the panel's layout code: the inverse of
// config() for the settings a saved session restores.
#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QSpinBox>

#include "widgets/run_panel.h"

namespace widgets {

void RunPanel::applyConfig(const appcore::RunConfig& c) {
    const interstage::SessionOptions& s = c.session;
    setBackend(QString::fromStdString(s.backend));  // a device this machine lacks: the current one stays
    threads_->setValue(s.threads);
    reduceConstant_->setChecked(s.mode.reduceConstant);
    ignoreInputInitializer_->setChecked(s.mode.ignoreInputWithInitializer);
    // Set the planner's boxes off first: syncExclusive unchecks the arena
    // when a reduce / reuse box turns on, and the reverse.
    reduceInterstage_->setChecked(false);
    reuseInterstage_->setChecked(false);
    arena_->setChecked(s.mode.planner == interstage::PlannerKind::Arena);
    reduceInterstage_->setChecked(s.mode.reduceInterstage());
    reuseInterstage_->setChecked(s.mode.reuseInterstage());
    fusion_->setChecked(s.fusion);
    memoryAwareOrder_->setChecked(s.memoryAwareOrder);
    inPlace_->setChecked(s.inPlaceConcat && s.inPlaceOps);
    blockedLayout_->setChecked(s.blockedLayout);
    gpuFp16_->setChecked(s.gpuFp16);  // enabled only with a Vulkan backend selected
    runs_->setValue(c.runs);
    QStringList keep;
    for (const std::string& name : s.keep) keep << QString::fromStdString(name);
    keep_->setText(keep.join(", "));
}

bool RunPanel::setGpuFp16(bool on) {
    if (!gpuFp16_->isEnabled()) return false;
    gpuFp16_->setChecked(on);
    return true;
}

}  // namespace widgets
