#include "report_graph.h"

#include <gvc.h>

#include <QFontMetricsF>
#include <QImage>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "graphviz/graphviz_context.h"

namespace report {

namespace {

using interstage::GraphNodeFacts;

const char* const kPeakMark = "  \xe2\x97\x86 the peak";

struct GraphColours {
    const char *fill, *peakFill, *line, *edge;
};

// Text inside a dot string: quotes and backslashes escaped.
std::string escaped(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

int findPeak(const interstage::ModelFacts& facts, const std::string& peakNode) {
    const auto& g = facts.graph;
    for (size_t i = 0; i < g.size(); ++i)
        if (!peakNode.empty() && g[i].name == peakNode) return int(i);
    for (size_t i = 0; i < g.size(); ++i)
        for (const std::string& out : g[i].outputs)
            if (!facts.largestTensor.empty() && out == facts.largestTensor) return int(i);
    return -1;
}

QString firstLine(const GraphNodeFacts& n, bool peak) { return QString::fromStdString(n.op) + (peak ? kPeakMark : ""); }

// Box sizes from Qt's metrics of the font the PDF draws with: dot's own
// estimate of text widths may differ, and a label must never overflow.
std::string nodeLine(const GraphNodeFacts& n, size_t id, bool peak, const GraphColours& colours) {
    static const QImage points = [] {
        QImage image(1, 1, QImage::Format_RGB32);
        image.setDotsPerMeterX(2835);  // 72 per inch: metrics come out in points
        image.setDotsPerMeterY(2835);
        return image;
    }();
    const QFontMetricsF fm(graphFont(), &points);
    const double text =
        std::max(fm.horizontalAdvance(firstLine(n, peak)), fm.horizontalAdvance(QString::fromStdString(n.name)));
    std::ostringstream s;
    // Graphviz's label escapes: \n breaks lines; the name may hold quotes.
    s << "n" << id << " [label=\"" << escaped(n.op) << (peak ? kPeakMark : "") << "\\n"
      << escaped(n.name) << "\", width=" << (text + 10) / 72.0;
    if (peak) s << ", penwidth=3.5, fillcolor=\"" << colours.peakFill << "\"";
    s << "];\n";
    return s.str();
}

// The dot text of nodes [from, to): edges where one's output is another's input.
std::string dotText(const std::vector<GraphNodeFacts>& g, size_t from, size_t to, int peak, const GraphColours& c) {
    std::ostringstream s;
    s << "digraph interstage {\n"
         "graph [rankdir=TB, nodesep=0.18, ranksep=0.2, fontname=\"DejaVu Sans\"];\n"
         "node [shape=box, style=\"rounded,filled\", fillcolor=\""
      << c.fill << "\", color=\"" << c.line
      << "\", fontname=\"DejaVu Sans\", fontsize=10, height=0.36, margin=\"0.08,0.03\"];\n"
         "edge [color=\""
      << c.edge << "\", arrowsize=0.6];\n";
    std::map<std::string, size_t> producer;
    for (size_t i = from; i < to; ++i) {
        s << nodeLine(g[i], i, int(i) == peak, c);
        for (const std::string& out : g[i].outputs) producer[out] = i;
    }
    for (size_t i = from; i < to; ++i)
        for (const std::string& in : g[i].inputs)
            if (auto p = producer.find(in); p != producer.end() && p->second != i)
                s << "n" << p->second << " -> n" << i << ";\n";
    s << "}\n";
    return s.str();
}

// dot's coordinates (points, y up) as the SVG's (y down, 4 pt padding).
struct Flip {
    double top;
    QPointF operator()(pointf p) const { return {p.x + 4, top - p.y}; }
};

void addNodes(Agraph_t* g, const Flip& flip, const std::vector<GraphNodeFacts>& facts, int peak, GraphDrawing& d) {
    for (Agnode_t* n = agfstnode(g); n; n = agnxtnode(g, n)) {
        const size_t id = std::stoul(agnameof(n) + 1);  // "n123"
        const QPointF centre = flip(ND_coord(n));
        const double w = ND_width(n) * 72, h = ND_height(n) * 72;
        d.boxes.push_back({QRectF(centre.x() - w / 2, centre.y() - h / 2, w, h), firstLine(facts[id], int(id) == peak),
                           QString::fromStdString(facts[id].name), int(id) == peak});
    }
}

void addEdges(Agraph_t* g, const Flip& flip, GraphDrawing& d) {
    for (Agnode_t* n = agfstnode(g); n; n = agnxtnode(g, n))
        for (Agedge_t* e = agfstout(g, n); e; e = agnxtout(g, e)) {
            const splines* spl = ED_spl(e);
            if (!spl) continue;
            for (int i = 0; i < spl->size; ++i) {
                const bezier& b = spl->list[i];
                GraphDrawing::Edge edge;
                for (int k = 0; k < b.size; ++k) edge.bezier.push_back(flip(b.list[k]));
                edge.arrow = b.eflag != 0;
                if (edge.arrow) edge.tip = flip(b.ep);
                d.edges.push_back(std::move(edge));
            }
        }
}

// Lays out the dot text; the SVG (for the HTML) and the drawing (for the PDF).
bool layOut(const std::string& dot, const std::vector<GraphNodeFacts>& facts, int peak, GraphFigure& f,
            GraphDrawing& d) {
    // The app's layout worker shares this lock: Graphviz has global state.
    const gvshared::GraphvizSession graphviz = gvshared::lockGraphviz();
    GVC_t* gvc = graphviz.context;
    if (!gvc) return f.error = "Graphviz: cannot create a context", false;
    Agraph_t* g = agmemread(dot.c_str());
    if (!g) return f.error = "Graphviz: cannot read the graph", false;
    if (gvLayout(gvc, g, "dot") == 0) {
        char* data = nullptr;
        unsigned int length = 0;
        if (gvRenderData(gvc, g, "svg", &data, &length) == 0 && data) f.svg = QByteArray(data, int(length));
        if (data) gvFreeRenderData(data);
        const Flip flip{GD_bb(g).UR.y + 4};
        d.size = QSizeF(GD_bb(g).UR.x + 8, GD_bb(g).UR.y + 8);
        addNodes(g, flip, facts, peak, d);
        addEdges(g, flip, d);
        gvFreeLayout(gvc, g);
    }
    agclose(g);
    if (f.svg.isEmpty()) f.error = "Graphviz: the dot layout failed";
    return !f.svg.isEmpty();
}

void drawArrow(QPainter& p, QPointF from, QPointF tip) {
    const QPointF along = tip - from;
    const double length = std::hypot(along.x(), along.y());
    if (length <= 0) return;
    const QPointF unit = along / length, side(-unit.y() * length * 0.4, unit.x() * length * 0.4);
    p.drawPolygon(QPolygonF({tip, from + side, from - side}));
}

}  // namespace

QFont graphFont(double dpi) {
    QFont font("DejaVu Sans");
    font.setPointSizeF(10.0 * 72.0 / dpi);
    font.setStyleStrategy(QFont::PreferNoShaping);
    return font;
}

GraphFigure graphFigure(const interstage::ModelFacts& facts, const std::string& peakNode, bool print) {
    static const GraphColours light{"#eef2f8", "#ffd9a8", "#4a5566", "#6b7685"};
    static const GraphColours grey{"#ffffff", "#d0d0d0", "#000000", "#404040"};
    const GraphColours& colours = print ? grey : light;
    GraphFigure f;
    const auto& g = facts.graph;
    f.total = int(g.size());
    if (g.empty()) {
        f.error = "the document has no graph (model_facts.graph is empty)";
        return f;
    }
    f.peakIndex = findPeak(facts, peakNode);
    size_t from = 0, to = g.size();
    if (f.total > kWholeGraphNodes) {
        const int centre = f.peakIndex >= 0 ? f.peakIndex : f.total / 2;
        from = size_t(std::max(0, centre - kNodesAroundPeak));
        to = size_t(std::min(f.total, centre + kNodesAroundPeak + 1));
    }
    f.shown = int(to - from);
    auto drawing = std::make_shared<GraphDrawing>();
    drawing->fill = QColor(colours.fill);
    drawing->peakFill = QColor(colours.peakFill);
    drawing->line = QColor(colours.line);
    drawing->edge = QColor(colours.edge);
    drawing->text = QColor(Qt::black);
    if (!layOut(dotText(g, from, to, f.peakIndex, colours), g, f.peakIndex, f, *drawing)) return f;
    f.size = drawing->size;
    f.drawing = std::move(drawing);
    return f;
}

void drawGraph(QPainter& p, const GraphDrawing& d, const QRectF& target, const QRectF& view) {
    p.save();
    p.setClipRect(target);
    const double scale = target.width() / view.width();
    p.translate(target.topLeft());
    p.scale(scale, scale);
    p.translate(-view.topLeft());
    p.setPen(QPen(d.edge, 0.8));
    for (const auto& e : d.edges) {
        if (e.bezier.size() < 4) continue;
        QPainterPath path(e.bezier.front());
        for (size_t i = 1; i + 2 < e.bezier.size(); i += 3) path.cubicTo(e.bezier[i], e.bezier[i + 1], e.bezier[i + 2]);
        if (!path.boundingRect().adjusted(-8, -8, 8, 8).intersects(view)) continue;
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
        p.setBrush(d.edge);
        if (e.arrow) drawArrow(p, e.bezier.back(), e.tip);
    }
    p.setFont(graphFont(p.device()->logicalDpiY()));
    for (const auto& b : d.boxes) {
        if (!b.rect.intersects(view)) continue;
        p.setPen(QPen(d.line, b.peak ? 3.5 : 1));
        p.setBrush(b.peak ? d.peakFill : d.fill);
        p.drawRoundedRect(b.rect, 5, 5);
        p.setPen(d.text);
        p.drawText(b.rect, Qt::AlignCenter, b.op + "\n" + b.name);
    }
    p.restore();
}

}  // namespace report
