// The step scrubber under the charts: a slider over the execution order,
// ◀ ▶, Play / Pause at a chosen speed, and ← → while the charts have the
// focus. It owns only the step number; the window shows what the step means.
#pragma once

#include <QStringList>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace widgets {

class StepScrubber : public QWidget {
    Q_OBJECT
public:
    explicit StepScrubber(QWidget* parent = nullptr);

    // Steps 0..count-1; the step kept where it still exists, else 0. 0
    // steps: disabled.
    void setStepCount(int count);
    int stepCount() const { return count_; }
    int step() const;
    // Moves to `step` (clamped) and emits stepChanged when it changed.
    void setStep(int step);
    void stepBy(int delta);
    // What the label says ("step 37 / 212 · stage2_conv (Conv)").
    void setLabel(const QString& text);
    QString labelText() const;

    // Play advances one step per tick at stepsPerSecond and stops at the end.
    void play();
    void pause();
    bool isPlaying() const;
    void setSpeed(int stepsPerSecond);  // one of speeds()
    int speed() const;
    static QList<int> speeds() { return {1, 5, 20}; }

    // "Follow in graph": the window keeps the running node on screen.
    bool followsGraph() const;
    void setFollowsGraph(bool follow);

    // ← and → step while `area` or a widget inside it has the focus (a
    // click anywhere in it gives it the focus).
    void takeArrowKeysFrom(QWidget* area);

signals:
    void stepChanged(int step);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updateButtons();

    QSlider* slider_;
    QToolButton* back_;
    QToolButton* forward_;
    QToolButton* play_;
    QComboBox* speed_;
    QCheckBox* follow_;
    QLabel* label_;
    QTimer* timer_;
    int count_ = 0;
};

}  // namespace widgets
