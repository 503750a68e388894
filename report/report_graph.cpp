#include "report_graph.h"

#include <gvc.h>

#include <QSvgRenderer>
#include <algorithm>
#include <map>
#include <mutex>
#include <sstream>

namespace report {

namespace {

using interstage::GraphNodeFacts;

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

struct GraphColours {
    const char *fill, *peakFill, *line, *edge;
};

std::string nodeLine(const GraphNodeFacts& n, size_t id, bool peak, const GraphColours& colours) {
    std::ostringstream s;
    // Graphviz's label escapes: \n breaks lines; the name may hold quotes.
    // Two lines: the op (and the peak's mark), then the node's name.
    s << "n" << id << " [label=\"" << escaped(n.op) << (peak ? "  \xe2\x97\x86 the peak" : "") << "\\n"
      << escaped(n.name) << "\"";
    if (peak) s << ", penwidth=3.5, fillcolor=\"" << colours.peakFill << "\"";
    s << "];\n";
    return s.str();
}

// The dot text of nodes [from, to): edges where one's output is another's input.
std::string dotText(const std::vector<GraphNodeFacts>& g, size_t from, size_t to, int peak, const GraphColours& c) {
    std::ostringstream s;
    s << "digraph interstage {\n"
         "graph [rankdir=TB, nodesep=0.25, ranksep=0.3, fontname=\"DejaVu Sans\"];\n"
         "node [shape=box, style=\"rounded,filled\", fillcolor=\""
      << c.fill << "\", color=\"" << c.line
      << "\", fontname=\"DejaVu Sans\", fontsize=10, height=0.3, margin=\"0.08,0.03\"];\n"
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

// Graphviz keeps global state: one layout at a time in this library.
std::mutex& graphvizMutex() {
    static std::mutex m;
    return m;
}

// Where each node lies vertically in the SVG's coordinates (dot's y axis
// points up; its SVG is translated by the bounding box's top and 4 pt).
std::vector<std::pair<double, double>> nodeSpans(Agraph_t* g) {
    std::vector<std::pair<double, double>> spans;
    const double top = GD_bb(g).UR.y + 4;
    for (Agnode_t* n = agfstnode(g); n; n = agnxtnode(g, n)) {
        const double y = top - ND_coord(n).y, half = ND_ht(n) / 2;
        spans.emplace_back(y - half, y + half);
    }
    return spans;
}

QByteArray renderSvg(const std::string& dot, QString& error, std::vector<std::pair<double, double>>& spans) {
    std::lock_guard<std::mutex> lock(graphvizMutex());
    static GVC_t* gvc = gvContext();
    if (!gvc) return error = "Graphviz: cannot create a context", QByteArray();
    Agraph_t* g = agmemread(dot.c_str());
    if (!g) return error = "Graphviz: cannot read the graph", QByteArray();
    QByteArray svg;
    if (gvLayout(gvc, g, "dot") == 0) {
        char* data = nullptr;
        unsigned int length = 0;
        if (gvRenderData(gvc, g, "svg", &data, &length) == 0 && data) svg = QByteArray(data, int(length));
        spans = nodeSpans(g);
        if (data) gvFreeRenderData(data);
        gvFreeLayout(gvc, g);
    }
    agclose(g);
    if (svg.isEmpty()) error = "Graphviz: the dot layout failed";
    return svg;
}

}  // namespace

GraphFigure graphFigure(const interstage::ModelFacts& facts, const std::string& peakNode, bool print) {
    static const GraphColours light{"#eef2f8", "#ffd9a8", "#4a5566", "#6b7685"};
    static const GraphColours grey{"#ffffff", "#d0d0d0", "#000000", "#404040"};
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
    f.svg = renderSvg(dotText(g, from, to, f.peakIndex, print ? grey : light), f.error, f.nodeSpans);
    if (!f.svg.isEmpty()) f.size = QSvgRenderer(f.svg).viewBoxF().size();
    return f;
}

}  // namespace report
