// One Graphviz dot run over boxes of given sizes: where each box goes and
// how each edge is routed. The graph layout calls it once for a flat graph,
// the grouped layout once per expanded group (see grouped_layout.h).
#pragma once

#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QVector>
#include <atomic>
#include <utility>
#include <vector>

#include "interstage/status.h"

namespace appcore {

struct DotInput {
    std::vector<QSizeF> sizes;               // one per box, in points
    std::vector<bool> rounded;               // drawn as a pill: edges are clipped to an ellipse
    std::vector<std::pair<int, int>> edges;  // box indices, tail to head
};

struct DotOutput {
    std::vector<QRectF> rects;            // y down, origin at the top left of bounds
    std::vector<QVector<QPointF>> paths;  // per edge: cubic Bezier control points (1 + 3k)
    QRectF bounds;
};

// Blocking; serialized process-wide (Graphviz keeps global state). Checks
// `cancel` (may be null) before it starts: dot itself cannot be stopped.
interstage::Result<DotOutput> runDot(const DotInput& input, const std::atomic<bool>* cancel = nullptr);

// A straight cubic from a to b, and a path extended by another that starts
// where it ends (or by a straight piece to it first).
QVector<QPointF> straightCubic(const QPointF& a, const QPointF& b);
void appendPath(QVector<QPointF>& path, const QVector<QPointF>& next);

}  // namespace appcore
