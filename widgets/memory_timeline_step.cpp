// The timeline's step cursor: where the step the scrubber shows started in
// the run drawn, and how long its node ran.
#include <qcustomplot.h>

#include "widgets/memory_timeline.h"

namespace widgets {

void MemoryTimeline::setTimeCursor(double startMs, double ms) {
    if (!stepLine_) {
        // On the hover cursor's buffered layer: stepping redraws one layer.
        stepSpan_ = new QCPItemRect(plot_);
        stepSpan_->setLayer("cursor");
        stepSpan_->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        stepSpan_->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        stepSpan_->setPen(Qt::NoPen);
        stepSpan_->setBrush(QColor(0xe3, 0x74, 0x00, 40));
        stepSpan_->setSelectable(false);
        stepLine_ = new QCPItemStraightLine(plot_);
        stepLine_->setLayer("cursor");
        stepLine_->setPen(QPen(QColor(0xe3, 0x74, 0x00), 2));
        stepLine_->setSelectable(false);
    }
    timeCursorMs_ = startMs;
    stepLine_->point1->setCoords(startMs, 0);
    stepLine_->point2->setCoords(startMs, 1);
    stepSpan_->topLeft->setCoords(startMs, 0);
    stepSpan_->bottomRight->setCoords(startMs + ms, 1);
    stepLine_->setVisible(true);
    stepSpan_->setVisible(true);
    plot_->layer("cursor")->replot();
}

void MemoryTimeline::hideTimeCursor() {
    if (!stepLine_) return;
    stepLine_->setVisible(false);
    stepSpan_->setVisible(false);
    plot_->layer("cursor")->replot();
}

bool MemoryTimeline::timeCursorVisible() const { return stepLine_ && stepLine_->visible(); }

}  // namespace widgets
