// What the graph view draws (boxes, markers, arrows with labels) and the
// flat layout of all of it with one dot run.
#include "core/graph_layout.h"

#include <QSizeF>
#include <QStringList>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/dot_layout.h"
#include "core/graph_bodies.h"
#include "interstage/format.h"

namespace appcore {
namespace {

using interstage::Graph;
using interstage::Node;
using interstage::Value;
using interstage::ValueId;

// Text metrics the view draws with (widgets/graph_style.cpp): the title is
// 11 pt bold, the other lines 9 pt. Widths per character are estimates on
// the generous side (DejaVu Sans averages 6.9 and 5.0) so labels fit
// without measuring fonts here: this library is QtCore-only and runs on a
// worker thread, and headless tools have no QGuiApplication for QFontMetrics.
constexpr double kTitleCharWidth = 7.2;
constexpr double kSmallCharWidth = 5.3;
constexpr double kPaddingX = 24.0;
constexpr double kTitleLine = 17.0;
constexpr double kSmallLine = 13.0;
constexpr double kPaddingY = 12.0;
constexpr double kMinNodeWidth = 84.0;
// Node names beyond this many characters are elided by the view; the box
// does not grow for them (a few exporters write 120-character names).
constexpr int kMaxSubtitleChars = 34;

QString formatBytes(std::size_t bytes) { return QString::fromStdString(interstage::formatBytes(double(bytes))); }

QString joinInts(const std::vector<int64_t>& values, QChar separator) {
    QString out;
    for (size_t i = 0; i < values.size(); ++i) {
        if (i) out += separator;
        out += QString::number(values[i]);
    }
    return out;
}

bool allEqual(const std::vector<int64_t>& values) {
    return std::adjacent_find(values.begin(), values.end(), std::not_equal_to<>()) == values.end();
}

// "s2" for uniform strides, "s2x1" otherwise; empty when every value is the default.
QString uniformOrList(const char* prefix, const std::vector<int64_t>& values, int64_t fallback, bool keepDefault) {
    if (values.empty()) return keepDefault ? QStringLiteral("%1%2").arg(prefix).arg(fallback) : QString();
    if (!keepDefault && allEqual(values) && values.front() == fallback) return {};
    if (allEqual(values)) return QStringLiteral("%1%2").arg(prefix).arg(values.front());
    return QString::fromLatin1(prefix) + joinInts(values, QLatin1Char('x'));
}

QString padText(const Node& node) {
    const std::string autoPad = node.attrString("auto_pad", "NOTSET");
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") return QStringLiteral("p same");
    if (autoPad == "VALID") return QStringLiteral("p0");
    const std::vector<int64_t> pads = node.attrInts("pads");
    if (pads.empty()) return QStringLiteral("p0");
    if (allEqual(pads)) return QStringLiteral("p%1").arg(pads.front());
    return QStringLiteral("p") + joinInts(pads, QLatin1Char(','));
}

// Kernel size of a convolution: the attribute, or the weight's spatial dims.
std::vector<int64_t> convKernel(const Graph& graph, const Node& node) {
    std::vector<int64_t> kernel = node.attrInts("kernel_shape");
    if (!kernel.empty()) return kernel;
    const ValueId w = node.input(1);
    if (w == interstage::kNoValue) return {};
    const Value& weight = graph.value(w);
    const interstage::Shape* shape = nullptr;
    if (weight.shapeResolved)
        shape = &weight.shape;
    else if (weight.constant)
        shape = &weight.constant->shape;
    if (!shape || shape->size() < 3) return {};
    return std::vector<int64_t>(shape->begin() + 2, shape->end());
}

QString detailText(const Graph& graph, const Node& node) {
    QStringList parts;
    const std::string& op = node.opType;
    if (op == "Conv" || op == "ConvTranspose" || op == "ConvInteger" || op == "QLinearConv") {
        const std::vector<int64_t> kernel = convKernel(graph, node);
        if (!kernel.empty()) parts << joinInts(kernel, QLatin1Char('x'));
        parts << uniformOrList("s", node.attrInts("strides"), 1, true) << padText(node);
        const QString dilation = uniformOrList("d", node.attrInts("dilations"), 1, false);
        if (!dilation.isEmpty()) parts << dilation;
        const int64_t group = node.attrInt("group", 1);
        if (group != 1) parts << QStringLiteral("g%1").arg(group);
    } else if (op == "MaxPool" || op == "AveragePool" || op == "LpPool") {
        const std::vector<int64_t> kernel = node.attrInts("kernel_shape");
        if (!kernel.empty()) parts << joinInts(kernel, QLatin1Char('x'));
        parts << uniformOrList("s", node.attrInts("strides"), 1, true) << padText(node);
        if (node.attrInt("ceil_mode", 0) != 0) parts << QStringLiteral("ceil");
    } else if (op == "Resize" || op == "Upsample") {
        parts << QString::fromStdString(node.attrString("mode", "nearest"));
    } else if (op == "Concat" || op == "Softmax" || op == "LogSoftmax" || op == "Gather" || op == "Split" ||
               op == "Flatten" || op == "LayerNormalization" || op == "CumSum" || op == "ArgMax" || op == "ArgMin" ||
               op == "Hardmax") {
        if (node.hasAttr("axis")) parts << QStringLiteral("axis %1").arg(node.attrInt("axis", 0));
    } else if (op == "Transpose") {
        const std::vector<int64_t> perm = node.attrInts("perm");
        if (!perm.empty()) parts << QStringLiteral("perm ") + joinInts(perm, QLatin1Char(','));
    } else if (op.rfind("Reduce", 0) == 0) {
        const std::vector<int64_t> axes = node.attrInts("axes");
        if (!axes.empty()) parts << QStringLiteral("axes ") + joinInts(axes, QLatin1Char(','));
        if (node.attrInt("keepdims", 1) == 0) parts << QStringLiteral("drop");
    } else if (op == "Gemm") {
        if (node.attrInt("transA", 0)) parts << QStringLiteral("transA");
        if (node.attrInt("transB", 0)) parts << QStringLiteral("transB");
    } else if (op == "LeakyRelu" || op == "Elu") {
        parts << QStringLiteral("α %1").arg(node.attrFloat("alpha", op == "Elu" ? 1.0f : 0.01f));
    }
    if (node.hasAttr("_fused_activation"))
        parts << QStringLiteral("+ ") + QString::fromStdString(node.attrString("_fused_activation", ""));
    return parts.join(QLatin1Char(' '));
}

QString edgeLabel(const Value& value) {
    if (!value.isTensor) return {};
    if (!value.shapeResolved) return QStringLiteral("?");  // the node's mark says why
    return QString::fromStdString(interstage::shapeToString(value.shape)) + QStringLiteral(" · ") +
           formatBytes(value.byteSize());
}

// Graph inputs and Constant-only producers are not drawn as boxes.
bool drawnAsNode(const Graph& graph, const Node& node) {
    if (node.outputs.empty()) return true;
    for (ValueId out : node.outputs)
        if (out != interstage::kNoValue && !graph.value(out).isWeight()) return true;
    return false;
}

}  // namespace

QSizeF layoutNodeSize(const LayoutNode& node) {
    if (node.node < 0 && node.group < 0) {
        // Input/output pills: the tensor name in the title font over
        // "output · <shape>".
        const int nameChars = std::min<int>(static_cast<int>(node.subtitle.size()), kMaxSubtitleChars);
        const int detailChars = static_cast<int>(node.title.size() + 3 + node.detail.size());
        const double width = std::max(nameChars * kTitleCharWidth, detailChars * kSmallCharWidth);
        const double height = kTitleLine + kPaddingY + (node.detail.isEmpty() ? 0.0 : kSmallLine);
        // Round ends take room: pad by half the height on each side.
        return {std::max(kMinNodeWidth, std::ceil(width + height)), height};
    }
    const int subtitleChars = std::min<int>(static_cast<int>(node.subtitle.size()), kMaxSubtitleChars);
    double width = std::max(
        {node.title.size() * kTitleCharWidth, subtitleChars * kSmallCharWidth, node.detail.size() * kSmallCharWidth});
    width = std::max(kMinNodeWidth, std::ceil(width + kPaddingX));
    double height = kTitleLine + kPaddingY;
    if (!node.subtitle.isEmpty()) height += kSmallLine;
    if (!node.detail.isEmpty()) height += kSmallLine;
    return {width, height};
}

namespace {

// The parts of the graph to draw, before Graphviz sees them. A scope is
// the main graph (-1) or a body (index into GraphBodies::bodies).
class Planner {
public:
    Planner(const Graph& graph, bool withBodies) : graph_(graph) {
        if (withBodies) bodies_ = collectBodies(graph);
        nodeToLayout_.assign(graph.nodes.size() + bodies_.nodes.size(), -1);
        markers_.resize(bodies_.bodies.size() + 1);
    }

    GraphLayout plan() {
        addScope(-1);
        for (int b = 0; b < static_cast<int>(bodies_.bodies.size()); ++b) {
            const BodyInfo& body = bodies_.bodies[static_cast<size_t>(b)];
            // A body of a node that is not drawn (or of a body skipped) is skipped too.
            const int owner = nodeToLayout_[static_cast<size_t>(body.owner)];
            if (owner < 0) continue;
            layout_.bodies.push_back({owner, body.parent < 0 ? -1 : bodyIndex_[body.parent], body.name});
            bodyIndex_[b] = static_cast<int>(layout_.bodies.size()) - 1;
            addScope(b);
        }
        return std::move(layout_);
    }

private:
    const Graph& graphOf(int scope) const { return scope < 0 ? graph_ : *bodies_.graphOf(scope); }
    int firstNumber(int scope) const { return scope < 0 ? 0 : bodies_.bodies[static_cast<size_t>(scope)].firstNode; }
    int bodyOfScope(int scope) const { return scope < 0 ? -1 : bodyIndex_.at(scope); }

    int addMarker(int scope, ValueId v, bool input) {
        const Value& value = graphOf(scope).value(v);
        LayoutNode marker;
        marker.value = scope < 0 ? v : interstage::kNoValue;
        marker.title = input ? QStringLiteral("input") : QStringLiteral("output");
        marker.subtitle = QString::fromStdString(value.name);
        marker.body = bodyOfScope(scope);
        if (value.shapeResolved)
            marker.detail = QString::fromStdString(interstage::shapeToString(value.shape));
        else if (input && value.hasDeclaredShape)
            marker.detail = QString::fromStdString(interstage::shapeToString(value.declaredShape));
        else if (!input)
            marker.detail = QStringLiteral("?");
        layout_.nodes.push_back(std::move(marker));
        return static_cast<int>(layout_.nodes.size()) - 1;
    }

    // Where a value comes from: a box, an input marker, or, for a value a
    // body reads from outside, wherever the enclosing graph makes it. -1
    // for weights and values not drawn. `scope` and `v` end up naming the
    // value where it is made.
    int sourceOf(int& scope, ValueId& v) const {
        while (true) {
            const Value& value = graphOf(scope).value(v);
            if (value.isWeight()) return -1;
            if (value.producer != interstage::kNoNode)
                return nodeToLayout_[static_cast<size_t>(firstNumber(scope) + value.producer)];
            if (!value.fromOuterScope || scope < 0) {
                const auto& markers = markers_[static_cast<size_t>(scope + 1)];
                auto it = markers.find(v);
                return it == markers.end() ? -1 : it->second;
            }
            const int parent = bodies_.bodies[static_cast<size_t>(scope)].parent;
            const ValueId outer = graphOf(parent).find(value.name);
            if (outer == interstage::kNoValue) return -1;
            scope = parent;
            v = outer;
        }
    }

    void addEdge(int scope, ValueId v, int to) {
        const int from = sourceOf(scope, v);
        if (from < 0 || from == to) return;
        LayoutEdge edge;
        // Body values are not the main graph's ValueIds: the view colours
        // and names only main-graph tensors.
        edge.value = scope < 0 ? v : interstage::kNoValue;
        edge.from = from;
        edge.to = to;
        edge.label = edgeLabel(graphOf(scope).value(v));
        layout_.edges.push_back(std::move(edge));
    }

    void addScope(int scope) {
        const Graph& graph = graphOf(scope);
        const int first = firstNumber(scope);
        auto& markers = markers_[static_cast<size_t>(scope + 1)];
        for (ValueId v : graph.runtimeInputs()) markers[v] = addMarker(scope, v, true);
        for (size_t i = 0; i < graph.nodes.size(); ++i) {
            const Node& node = graph.nodes[i];
            if (!drawnAsNode(graph, node)) continue;
            LayoutNode item;
            item.node = first + static_cast<int>(i);
            item.title = QString::fromStdString(node.opType);
            item.subtitle = QString::fromStdString(node.name);
            item.detail = detailText(graph, node);
            item.body = bodyOfScope(scope);
            nodeToLayout_[static_cast<size_t>(item.node)] = static_cast<int>(layout_.nodes.size());
            layout_.nodes.push_back(std::move(item));
        }
        for (size_t i = 0; i < graph.nodes.size(); ++i) {
            const int to = nodeToLayout_[static_cast<size_t>(first) + i];
            if (to < 0) continue;
            const Node& node = graph.nodes[i];
            // One edge per distinct value: Mul(x, x) is one arrow, not two.
            std::vector<ValueId> seen;
            auto visit = [&](ValueId v) {
                if (v == interstage::kNoValue || graph.value(v).isWeight()) return;
                if (std::find(seen.begin(), seen.end(), v) != seen.end()) return;
                seen.push_back(v);
                addEdge(scope, v, to);
            };
            for (ValueId v : node.inputs) visit(v);
            // Drawn bodies show where their outer values go.
            if (!node.hasSubgraph || bodies_.bodies.empty())
                for (ValueId v : node.implicitInputs) visit(v);
        }
        const int owner = scope < 0 ? -1 : layout_.bodies[bodyIndex_.at(scope)].owner;
        for (ValueId v : graph.outputs) {
            const int marker = addMarker(scope, v, false);
            addEdge(scope, v, marker);
            // A body's results are what its node hands on.
            if (owner >= 0) {
                LayoutEdge edge;
                edge.from = marker;
                edge.to = owner;
                layout_.edges.push_back(std::move(edge));
            }
        }
    }

    const Graph& graph_;
    GraphBodies bodies_;
    GraphLayout layout_;
    std::vector<int> nodeToLayout_;                          // drawn node number -> layout node, -1 when hidden
    std::vector<std::unordered_map<ValueId, int>> markers_;  // per scope + 1: input value -> its marker
    std::map<int, int> bodyIndex_;                           // GraphBodies index -> GraphLayout::bodies index
};

// A point on a cubic Bezier segment.
QPointF bezierAt(const QPointF& p0, const QPointF& p1, const QPointF& p2, const QPointF& p3, double t) {
    const double u = 1.0 - t;
    return u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3;
}

// Edge labels sit beside the middle of their path (to its right): dot does
// not reserve room for them, which keeps the layout compact and fast; the
// view shows them only when zoomed in.
QPointF labelAnchor(const QVector<QPointF>& path) {
    if (path.size() < 4) return path.isEmpty() ? QPointF() : path.front();
    const int segments = static_cast<int>((path.size() - 1) / 3);
    const int s = segments / 2;
    const double t = segments % 2 ? 0.5 : 0.0;
    return bezierAt(path[3 * s], path[3 * s + 1], path[3 * s + 2], path[3 * s + 3], t);
}

// Too big for dot: one column in execution order (inputs first, outputs
// last); an edge to the next box is a straight line, longer ones bow out to
// the right, further the more boxes they skip, so they stay apart.
void columnLayout(GraphLayout& layout) {
    constexpr double kGap = 24.0;
    double widest = 0;
    for (auto& node : layout.nodes) {
        node.rect.setSize(layoutNodeSize(node));
        widest = std::max(widest, node.rect.width());
    }
    double y = 0;
    for (auto& node : layout.nodes) {
        node.rect.moveTo((widest - node.rect.width()) / 2, y);
        y += node.rect.height() + kGap;
    }
    double right = widest;
    for (auto& edge : layout.edges) {
        const QRectF& a = layout.nodes[edge.from].rect;
        const QRectF& c = layout.nodes[edge.to].rect;
        const QPointF start(a.center().x(), a.bottom());
        const QPointF end(c.center().x(), c.top());
        const int skipped = std::abs(edge.to - edge.from) - 1;
        if (skipped <= 0) {
            edge.path = {start, start + (end - start) / 3, start + 2 * (end - start) / 3, end};
        } else {
            const double bow = widest / 2 + 30.0 + 12.0 * std::log2(1.0 + skipped);
            edge.path = {start, start + QPointF(bow, 0), end + QPointF(bow, 0), end};
            right = std::max(right, widest / 2 + bow);
        }
        edge.labelPos = labelAnchor(edge.path);
    }
    layout.bounds = QRectF(0, 0, right, std::max(0.0, y - kGap));
    layout.simplified = true;
}

}  // namespace

namespace {

GraphLayout plannedAndSized(const Graph& graph, bool withBodies) {
    GraphLayout layout = Planner(graph, withBodies).plan();
    for (LayoutNode& node : layout.nodes) node.rect.setSize(layoutNodeSize(node));
    return layout;
}

}  // namespace

GraphLayout planLayout(const Graph& graph) { return plannedAndSized(graph, true); }

QPointF edgeLabelAnchor(const QVector<QPointF>& path) { return labelAnchor(path); }

interstage::Result<GraphLayout> layoutGraph(const Graph& graph) {
    GraphLayout layout = plannedAndSized(graph, false);
    if (layout.nodes.isEmpty()) return layout;
    if (layout.nodes.size() > kMaxGraphvizNodes) {
        columnLayout(layout);
        return layout;
    }
    DotInput input;
    for (const LayoutNode& node : layout.nodes) {
        input.sizes.push_back(node.rect.size());
        input.rounded.push_back(node.node < 0);
    }
    for (const LayoutEdge& edge : layout.edges) input.edges.emplace_back(edge.from, edge.to);
    auto placed = runDot(input);
    if (!placed.ok()) return placed.status();
    layout.bounds = placed->bounds;
    for (int i = 0; i < layout.nodes.size(); ++i) layout.nodes[i].rect = placed->rects[static_cast<size_t>(i)];
    for (int i = 0; i < layout.edges.size(); ++i) {
        LayoutEdge& edge = layout.edges[i];
        edge.path = placed->paths[static_cast<size_t>(i)];
        edge.labelPos = labelAnchor(edge.path);
    }
    return layout;
}

}  // namespace appcore
