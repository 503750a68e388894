// The memory map: every planned tensor as a rectangle. x is its lifetime
// (producer step to last use), the height its bytes; y is its offset in the
// slab (planned arena) or its buffer's lane (other modes: one lane per
// buffer, as tall as the buffer). Empty space in a lane or in the slab is
// memory held but not used, which is why one mode needs more than another.
// Control-flow bodies' tensors, planned by the body's own plan on every
// run of it, are drawn inside the step of the node that runs the body, one
// slice of the step per iteration, in lanes above the plan's.
#pragma once

#include <QRectF>
#include <QString>
#include <QWidget>
#include <vector>

#include "core/body_memory.h"
#include "interstage/session.h"

class QCustomPlot;
class QCPItemStraightLine;
class QLabel;
class QMouseEvent;

namespace widgets {

class PlacementBlocks;

class MemoryMap : public QWidget {
    Q_OBJECT
public:
    explicit MemoryMap(QWidget* parent = nullptr);
    ~MemoryMap() override;

    // Replaces the map. `modeName` as MemoryMode::name() gives it
    // ("reduce+reuse"); a mode with "reduce" frees single-tenant buffers
    // after use, so their lanes are not drawn as held for the whole run.
    // `bodies`: the run's body tensors per iteration (appcore::bodyBlocks).
    void setPlacements(const std::vector<interstage::TensorPlacement>& placements, const QString& modeName, bool arena,
                       const std::vector<appcore::BodyBlock>& bodies = {});
    void clear();
    // Outlines a tensor (e.g. the one selected in the graph view); an
    // unknown or empty name removes the outline.
    void highlightTensor(const QString& name);

    // The step-through's cursor: a line through `step` and an outline
    // around every block drawn across it (-1: none). A new map clears it.
    void setStepCursor(int step);
    int stepCursor() const;
    int blocksAtStepCursor() const;  // blocks outlined (tests)

    QCustomPlot* plot() const { return plot_; }
    int tensorCount() const;
    int laneCount() const;       // buffers drawn as lanes (1 for the arena's slab)
    int bodyBlockCount() const;  // body tensors drawn, one per value and iteration
    // Every rectangle drawn, in plot coordinates (x: steps, y: MiB): one
    // per placement, then one per body block (tests compare maps with it).
    std::vector<QRectF> blockRects() const;
    QString summaryText() const;  // the line under the title (modes, buffers, the live peak)
    // The tensor drawn at a pixel of plot() (empty: none); hover and click use it.
    QString tensorAt(const QPointF& pixel) const;
    // The centre of a tensor's rectangle in plot() pixels (tests, tours).
    QPointF tensorCenter(const QString& name) const;
    // What the hover tooltip says of a tensor (HTML).
    QString describeTensor(const QString& name) const;

signals:
    void tensorClicked(const QString& name);

private:
    void onMouseMove(QMouseEvent* event);
    void onMousePress(QMouseEvent* event);
    void onMouseRelease(QMouseEvent* event);
    void resetView();
    double addBodyBlocks(double base);
    QString describeBodyBlock(const QString& label) const;

    QCustomPlot* plot_ = nullptr;
    QLabel* title_ = nullptr;
    QLabel* summary_ = nullptr;
    PlacementBlocks* blocks_ = nullptr;        // owned by plot_
    QCPItemStraightLine* peakLine_ = nullptr;  // owned by plot_
    QCPItemStraightLine* stepLine_ = nullptr;  // owned by plot_
    QPointF pressPos_;
};

}  // namespace widgets
