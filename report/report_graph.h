// The model's graph as a vector figure for the report: Graphviz's dot
// (libgvc) lays out the file's nodes. The HTML inlines dot's SVG; the PDF
// draws the same layout with QPainter (boxes, splines, real text: names
// stay searchable and the file small). A small graph is drawn whole; a
// big one as the part around the peak's node, which is highlighted by a
// thick frame and a mark, not by colour alone.
#pragma once

#include <QByteArray>
#include <QColor>
#include <QFont>
#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <memory>
#include <string>
#include <vector>

#include "interstage/session_file.h"

class QPainter;

namespace report {

// Graphs up to this many nodes are drawn whole.
constexpr int kWholeGraphNodes = 150;
// Otherwise this many nodes before and after the peak's node, in file order.
constexpr int kNodesAroundPeak = 25;

// The layout in points, y down (the SVG's coordinates).
struct GraphDrawing {
    struct Box {
        QRectF rect;
        QString op, name;
        bool peak = false;
    };
    struct Edge {
        std::vector<QPointF> bezier;  // start, then three points per cubic piece
        bool arrow = false;
        QPointF tip;  // the arrow's point, when arrow
    };
    std::vector<Box> boxes;
    std::vector<Edge> edges;
    QSizeF size;
    QColor fill, peakFill, line, edge, text;
};

struct GraphFigure {
    QByteArray svg;  // empty: nothing to draw (see error)
    std::shared_ptr<const GraphDrawing> drawing;
    QSizeF size;  // points
    int shown = 0, total = 0;
    int peakIndex = -1;  // the highlighted node in the file's order; -1: none found
    QString error;
};

// `peakNode`: the executed graph's node at the peak (fused nodes keep a
// file node's name); found by name, else by the producer of the model's
// largest tensor. Print: greys only.
GraphFigure graphFigure(const interstage::ModelFacts& facts, const std::string& peakNode, bool print = false);

// The part `view` (points) of the drawing into `target` of the painter,
// clipped to it.
void drawGraph(QPainter& painter, const GraphDrawing& drawing, const QRectF& target, const QRectF& view);

// The label font: 10 pt as dot laid it out, in a painter whose unit is
// one point on a device of `dpi`.
QFont graphFont(double dpi = 72);

}  // namespace report
