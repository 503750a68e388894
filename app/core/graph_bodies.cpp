#include "core/graph_bodies.h"

#include <algorithm>
#include <utility>

namespace appcore {
namespace {

using interstage::Attribute;
using interstage::Graph;

void addBodiesOf(const Graph& graph, int parent, int firstNumber, GraphBodies& out) {
    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        const interstage::Node& node = graph.nodes[n];
        if (!node.hasSubgraph) continue;
        std::vector<std::pair<const Graph*, QString>> found;
        for (const Attribute& a : node.attributes) {
            const QString name = QString::fromStdString(a.name);
            if (a.kind == Attribute::Kind::Graph && a.graph) found.emplace_back(a.graph.get(), name);
            if (a.kind == Attribute::Kind::Graphs)
                for (size_t i = 0; i < a.graphs.size(); ++i)
                    if (a.graphs[i]) found.emplace_back(a.graphs[i].get(), QStringLiteral("%1[%2]").arg(name).arg(i));
        }
        // Exporters write attributes sorted by name (PyTorch does), which
        // puts an If's else_branch first; it is read, and drawn, second.
        std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
            return a.second == QLatin1String("then_branch") && b.second != QLatin1String("then_branch");
        });
        for (const auto& [body, bodyName] : found) {
            BodyInfo info;
            info.graph = body;
            info.owner = firstNumber + static_cast<int>(n);
            info.parent = parent;
            info.name = bodyName;
            info.firstNode = -1;  // set by collectBodies(), once the nodes are numbered
            out.bodies.push_back(info);
        }
    }
}

}  // namespace

GraphBodies collectBodies(const Graph& graph) {
    GraphBodies out;
    addBodiesOf(graph, -1, 0, out);
    // Breadth first: a body's nodes are numbered when it is reached, and
    // the bodies nested in them are appended behind it.
    const int mainNodes = static_cast<int>(graph.nodes.size());
    for (size_t b = 0; b < out.bodies.size(); ++b) {
        const Graph& body = *out.bodies[b].graph;
        const int first = mainNodes + static_cast<int>(out.nodes.size());
        out.bodies[b].firstNode = first;
        for (size_t n = 0; n < body.nodes.size(); ++n)
            out.nodes.push_back({static_cast<int>(b), static_cast<interstage::NodeId>(n)});
        addBodiesOf(body, static_cast<int>(b), first, out);
    }
    return out;
}

const interstage::Node* bodyNode(const Graph& graph, const GraphBodies& bodies, int drawnNode) {
    const int k = drawnNode - static_cast<int>(graph.nodes.size());
    if (k < 0 || static_cast<size_t>(k) >= bodies.nodes.size()) return nullptr;
    const BodyNode& ref = bodies.nodes[static_cast<size_t>(k)];
    return &bodies.graphOf(ref.body)->nodes[static_cast<size_t>(ref.node)];
}

}  // namespace appcore
