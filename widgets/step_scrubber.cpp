#include "widgets/step_scrubber.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QSlider>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

namespace widgets {

StepScrubber::StepScrubber(QWidget* parent) : QWidget(parent) {
    back_ = new QToolButton;
    back_->setText(QStringLiteral("◀"));
    back_->setToolTip(tr("Previous step (←)"));
    forward_ = new QToolButton;
    forward_->setText(QStringLiteral("▶"));
    forward_->setToolTip(tr("Next step (→)"));
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setObjectName("stepSlider");
    slider_->setPageStep(10);
    play_ = new QToolButton;
    play_->setObjectName("stepPlay");
    play_->setToolButtonStyle(Qt::ToolButtonTextOnly);
    speed_ = new QComboBox;
    speed_->setObjectName("stepSpeed");
    for (int s : speeds()) speed_->addItem(tr("%1 steps/s").arg(s), s);
    speed_->setCurrentIndex(1);
    speed_->setToolTip(tr("Play speed"));
    follow_ = new QCheckBox(tr("Follow in graph"));
    follow_->setObjectName("stepFollow");
    follow_->setChecked(true);
    follow_->setToolTip(tr("Keep the running node on screen in the graph"));
    label_ = new QLabel;
    label_->setObjectName("stepLabel");
    label_->setMinimumWidth(260);
    label_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    timer_ = new QTimer(this);

    // The label on its own line: node names are long ("stage1d/rebnconv1d/conv_s1").
    auto* top = new QHBoxLayout;
    top->addWidget(label_, 1);
    top->addWidget(follow_);
    auto* row = new QHBoxLayout;
    row->addWidget(play_);
    row->addWidget(speed_);
    row->addWidget(back_);
    row->addWidget(slider_, 1);
    row->addWidget(forward_);
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(4, 2, 4, 2);
    column->setSpacing(2);
    column->addLayout(top);
    column->addLayout(row);

    connect(slider_, &QSlider::valueChanged, this, [this](int value) {
        updateButtons();
        emit stepChanged(value);
    });
    connect(back_, &QToolButton::clicked, this, [this] { stepBy(-1); });
    connect(forward_, &QToolButton::clicked, this, [this] { stepBy(1); });
    connect(play_, &QToolButton::clicked, this, [this] { isPlaying() ? pause() : play(); });
    connect(speed_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { timer_->setInterval(1000 / std::max(1, speed())); });
    connect(timer_, &QTimer::timeout, this, [this] {
        if (step() + 1 >= count_) {
            pause();
            return;
        }
        stepBy(1);
    });
    timer_->setInterval(1000 / speed());
    setStepCount(0);
}

void StepScrubber::setStepCount(int count) {
    pause();
    const int keep = step();
    count_ = std::max(0, count);
    {
        // Listeners hear of the step once, below, and only if it moved.
        const QSignalBlocker block(slider_);
        slider_->setRange(0, std::max(0, count_ - 1));
    }
    setEnabled(count_ > 0);
    updateButtons();
    if (keep != step()) emit stepChanged(step());
}

int StepScrubber::step() const { return count_ > 0 ? slider_->value() : -1; }

void StepScrubber::setStep(int step) {
    if (count_ > 0) slider_->setValue(std::clamp(step, 0, count_ - 1));
}

void StepScrubber::stepBy(int delta) { setStep(step() + delta); }

void StepScrubber::setLabel(const QString& text) { label_->setText(text); }
QString StepScrubber::labelText() const { return label_->text(); }

void StepScrubber::play() {
    if (count_ <= 1) return;
    if (step() + 1 >= count_) setStep(0);  // from the start again
    timer_->start();
    updateButtons();
}

void StepScrubber::pause() {
    timer_->stop();
    updateButtons();
}

bool StepScrubber::followsGraph() const { return follow_->isChecked(); }
void StepScrubber::setFollowsGraph(bool follow) { follow_->setChecked(follow); }

bool StepScrubber::isPlaying() const { return timer_->isActive(); }

void StepScrubber::setSpeed(int stepsPerSecond) {
    const int index = speed_->findData(stepsPerSecond);
    if (index >= 0) speed_->setCurrentIndex(index);
}

int StepScrubber::speed() const { return speed_->currentData().toInt(); }

void StepScrubber::takeArrowKeysFrom(QWidget* area) {
    area->setFocusPolicy(Qt::ClickFocus);
    area->installEventFilter(this);
}

bool StepScrubber::eventFilter(QObject* watched, QEvent* event) {
    // Key presses the widgets inside ignored reach the area here.
    if (event->type() == QEvent::KeyPress && count_ > 0) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->modifiers() == Qt::NoModifier && (key->key() == Qt::Key_Left || key->key() == Qt::Key_Right)) {
            stepBy(key->key() == Qt::Key_Left ? -1 : 1);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void StepScrubber::updateButtons() {
    back_->setEnabled(count_ > 0 && step() > 0);
    forward_->setEnabled(count_ > 0 && step() + 1 < count_);
    play_->setText(isPlaying() ? tr("❚❚ Pause") : tr("▶ Play"));
    play_->setEnabled(count_ > 1);
}

}  // namespace widgets
