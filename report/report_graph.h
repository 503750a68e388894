// The model's graph as a vector figure for the report: Graphviz's dot
// (libgvc) lays out the file's nodes and renders SVG. A small graph is
// drawn whole; a big one as the part around the peak's node, which is
// highlighted (by a thick frame and a label, not by colour alone).
#pragma once

#include <QByteArray>
#include <QSizeF>
#include <QString>
#include <string>
#include <utility>
#include <vector>

#include "interstage/session_file.h"

namespace report {

// Graphs up to this many nodes are drawn whole.
constexpr int kWholeGraphNodes = 150;
// Otherwise this many nodes before and after the peak's node, in file order.
constexpr int kNodesAroundPeak = 25;

struct GraphFigure {
    QByteArray svg;  // empty: nothing to draw (see error)
    QSizeF size;     // the SVG's size in points
    int shown = 0, total = 0;
    int peakIndex = -1;  // the highlighted node in the file's order; -1: none found
    QString error;
    // Each node's top and bottom in the SVG (points, y down): a figure cut
    // across pages is cut between them, never through a box.
    std::vector<std::pair<double, double>> nodeSpans;
};

// `peakNode`: the executed graph's node at the peak (fused nodes keep a
// file node's name); found by name, else by the producer of the model's
// largest tensor.
// Print: greys only (the peak keeps its thick frame and mark).
GraphFigure graphFigure(const interstage::ModelFacts& facts, const std::string& peakNode, bool print = false);

}  // namespace report
