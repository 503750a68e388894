// Graph layout for the graph view: Graphviz's dot (libgvc) places the nodes
// and routes the edges; the result is plain QtCore geometry, computed off
// the UI thread.
#pragma once

#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QVector>

#include "interstage/graph.h"
#include "interstage/status.h"

namespace appcore {

struct LayoutNode {
    int node = -1;  // drawn node number (Graph::nodes index, or a body node's, graph_bodies.h); -1 for markers
    interstage::ValueId value = interstage::kNoValue;  // for input/output markers
    QString title;                                     // op type (or "input" / "output")
    QString subtitle;                                  // node or tensor name
    QString detail;                                    // key attributes ("3x3 s2 p1 g32", ...)
    int group = -1;  // a collapsed group (GroupTree index): title its name, subtitle its size, detail its ops
    int body = -1;   // the control-flow body it is drawn in (GraphLayout::bodies); -1 in the main graph
    QRectF rect;     // in scene coordinates (points), y down
};

// A control-flow body in the plan: its nodes and input/output markers are
// items with LayoutNode::body set; the grouped layout draws it as a group
// inside its owner's group (graph_groups.h, GroupKind::Subgraph).
struct LayoutBody {
    int owner = -1;   // the layout node of the If, Loop or Scan
    int parent = -1;  // the body the owner sits in; -1 for the main graph
    QString name;     // the attribute ("then_branch", "body")
};

struct LayoutEdge {
    interstage::ValueId value = interstage::kNoValue;
    int from = -1;  // index into GraphLayout::nodes
    int to = -1;
    QVector<QPointF> path;  // cubic Bezier control points (1 + 3k points), y down
    QString label;          // shape and bytes
    QPointF labelPos;
};

// An expanded group: a frame behind its contents, its name in a header band.
struct LayoutGroup {
    int group = -1;  // GroupTree index
    QString title;   // the group's name ("layer.3")
    QString detail;  // node count
    QRectF rect;
};

struct GraphLayout {
    QVector<LayoutNode> nodes;
    QVector<LayoutEdge> edges;
    QVector<LayoutGroup> groups;  // expanded groups, outermost first
    QVector<LayoutBody> bodies;   // planLayout() only; a body comes after the body holding its owner
    QRectF bounds;
    bool simplified = false;  // drawn in execution order, without Graphviz (too many nodes)
};

// Graphs with more drawn nodes than this are not given to Graphviz: dot
// needs minutes and gigabytes there, and Graphviz 2.43 exits the whole
// process when an allocation fails ("out of memory" on a 100,000-node
// chain). They are drawn as one column in execution order instead.
constexpr int kMaxGraphvizNodes = 20000;

// The boxes and arrows to draw, sized (rect at 0,0) but not placed.
// Control-flow bodies are included (GraphLayout::bodies): every body node
// is an item, each body has input and output markers, a body output feeds
// its owner node, and a value a body reads from an enclosing graph is an
// edge from where it is made into the body. Their owner's implicit inputs
// are then no edges of their own.
GraphLayout planLayout(const interstage::Graph& graph);

// The size a box needs for its text (see the view's fonts).
QSizeF layoutNodeSize(const LayoutNode& node);

// Where an edge's label goes: beside the middle of its path.
QPointF edgeLabelAnchor(const QVector<QPointF>& path);

// Lays out the graph (shapes resolved for edge labels when available).
// Weights are not drawn as nodes, nor control-flow bodies: flat, an If is
// one box (the grouped layout draws bodies). Fails only when Graphviz does.
interstage::Result<GraphLayout> layoutGraph(const interstage::Graph& graph);

}  // namespace appcore
