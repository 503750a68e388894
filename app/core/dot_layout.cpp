// Graphviz's dot through libgvc. Graphviz keeps global state (its plugin
// registry, the current graph's attribute symbols), so one lock, shared
// with the report's graph figure (graphviz/graphviz_context.h), serializes
// every layout in the process.
#include "core/dot_layout.h"

#include <gvc.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "graphviz/graphviz_context.h"

namespace appcore {
namespace {

// Graphviz takes char* where it means const char*.
char* cstr(const char* text) { return const_cast<char*>(text); }

std::string inches(double points) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4f", points / 72.0);
    return buffer;
}

void setGraphAttributes(Agraph_t* g, double nodeCount) {
    agattr(g, AGRAPH, cstr("rankdir"), cstr("TB"));
    agattr(g, AGRAPH, cstr("nodesep"), cstr("0.35"));
    agattr(g, AGRAPH, cstr("ranksep"), cstr("0.45"));
    agattr(g, AGRAPH, cstr("splines"), cstr("spline"));
    // Bounded network simplex and crossing minimisation. U-Nets are the hard
    // case: skip connections across hundreds of ranks give dot ~12,000
    // virtual nodes on u2netp, and unbounded x placement takes seconds. One
    // pass per node (nslimit=1) measured fastest overall there: fewer
    // iterations leave positions so rough that spline routing gets slower.
    // Graphviz 2.43's simplex costs O(nodes) per iteration, so beyond ~1,000
    // nodes the budget shrinks (3,100 nodes: 5.3 s -> 1.2 s CPU; 9,300
    // nodes: 63 s -> ~4 s with the global ranking of newrank).
    const double simplexLimit = std::clamp(std::pow(1000.0 / std::max(nodeCount, 1.0), 1.5), 0.02, 1.0);
    char limit[32];
    std::snprintf(limit, sizeof limit, "%.3f", simplexLimit);
    agattr(g, AGRAPH, cstr("nslimit"), limit);
    agattr(g, AGRAPH, cstr("nslimit1"), limit);
    if (nodeCount > 1000) agattr(g, AGRAPH, cstr("newrank"), cstr("true"));
    agattr(g, AGRAPH, cstr("mclimit"), cstr("0.6"));
    agattr(g, AGRAPH, cstr("searchsize"), cstr("20"));
}

}  // namespace

QVector<QPointF> straightCubic(const QPointF& a, const QPointF& b) {
    return {a, a + (b - a) / 3, a + 2 * (b - a) / 3, b};
}

void appendPath(QVector<QPointF>& path, const QVector<QPointF>& next) {
    if (next.isEmpty()) return;
    if (path.isEmpty()) {
        path = next;
        return;
    }
    const QPointF gap = next.front() - path.back();
    if (std::abs(gap.x()) + std::abs(gap.y()) > 0.5) path += straightCubic(path.back(), next.front()).mid(1);
    path += next.mid(1);
}

interstage::Result<DotOutput> runDot(const DotInput& input, const std::atomic<bool>* cancel) {
    DotOutput out;
    const size_t count = input.sizes.size();
    if (count == 0) return out;

    const gvshared::GraphvizSession graphviz = gvshared::lockGraphviz();
    if (cancel && cancel->load()) return interstage::Status(interstage::StatusCode::Cancelled, "layout cancelled");
    GVC_t* gvc = graphviz.context;
    if (!gvc) return interstage::Status(interstage::StatusCode::Internal, "Graphviz: cannot create a context");

    Agraph_t* g = agopen(cstr("interstage"), Agdirected, nullptr);
    setGraphAttributes(g, static_cast<double>(count));
    // Boxes are drawn by the view: Graphviz only needs their sizes, so no
    // label text is measured (no font lookups on the worker).
    agattr(g, AGNODE, cstr("label"), cstr(""));
    agattr(g, AGNODE, cstr("fixedsize"), cstr("true"));
    Agsym_t* shapeSym = agattr(g, AGNODE, cstr("shape"), cstr("box"));
    Agsym_t* widthSym = agattr(g, AGNODE, cstr("width"), cstr("1"));
    Agsym_t* heightSym = agattr(g, AGNODE, cstr("height"), cstr("0.5"));
    // The view draws its own arrowheads, so splines run up to the node border.
    agattr(g, AGEDGE, cstr("arrowhead"), cstr("none"));

    std::vector<Agnode_t*> nodes(count);
    for (size_t i = 0; i < count; ++i) {
        char id[24];
        std::snprintf(id, sizeof id, "n%zu", i);
        Agnode_t* n = agnode(g, id, 1);
        agxset(n, widthSym, cstr(inches(input.sizes[i].width()).c_str()));
        agxset(n, heightSym, cstr(inches(input.sizes[i].height()).c_str()));
        if (i < input.rounded.size() && input.rounded[i]) agxset(n, shapeSym, cstr("ellipse"));
        nodes[i] = n;
    }
    std::vector<Agedge_t*> edges(input.edges.size());
    for (size_t i = 0; i < input.edges.size(); ++i)
        edges[i] = agedge(g, nodes[static_cast<size_t>(input.edges[i].first)],
                          nodes[static_cast<size_t>(input.edges[i].second)], nullptr, 1);

    if (gvLayout(gvc, g, "dot") != 0) {
        agclose(g);
        return interstage::Status(interstage::StatusCode::Internal, "Graphviz: dot layout failed");
    }

    const boxf bb = GD_bb(g);
    // Graphviz's y axis points up; the scene's points down.
    auto toScene = [&](pointf p) { return QPointF(p.x - bb.LL.x, bb.UR.y - p.y); };
    out.bounds = QRectF(0, 0, bb.UR.x - bb.LL.x, bb.UR.y - bb.LL.y);
    out.rects.resize(count);
    for (size_t i = 0; i < count; ++i) {
        const QSizeF size(ND_width(nodes[i]) * 72.0, ND_height(nodes[i]) * 72.0);
        const QPointF center = toScene(ND_coord(nodes[i]));
        out.rects[i] =
            QRectF(center.x() - size.width() / 2, center.y() - size.height() / 2, size.width(), size.height());
    }
    out.paths.resize(edges.size());
    for (size_t i = 0; i < edges.size(); ++i) {
        QVector<QPointF>& path = out.paths[i];
        const splines* spl = ED_spl(edges[i]);
        if (spl) {
            for (int b = 0; b < spl->size; ++b) {
                const bezier& bz = spl->list[b];
                // Pieces after the first share their start with the previous end.
                for (int p = (b == 0 || path.isEmpty()) ? 0 : 1; p < bz.size; ++p) path.push_back(toScene(bz.list[p]));
            }
        }
        if (path.size() < 4) {
            // No route from Graphviz (should not happen with dot): a straight cubic.
            const auto [from, to] = input.edges[i];
            path = straightCubic(out.rects[static_cast<size_t>(from)].center(),
                                 out.rects[static_cast<size_t>(to)].center());
        }
    }

    gvFreeLayout(gvc, g);
    agclose(g);
    return out;
}

}  // namespace appcore
