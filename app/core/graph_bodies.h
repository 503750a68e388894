// Control-flow bodies (If branches, Loop and Scan bodies, nested to any
// depth) listed for drawing. The graph view addresses nodes by one integer:
// the main graph's nodes keep their Graph::nodes index, and every body node
// gets graph.nodes.size() + k, k counting in the order listed here. The
// layout plan, the view and the inspector all list bodies with this one
// function, so the numbers agree.
#pragma once

#include <QString>
#include <vector>

#include "interstage/graph.h"

namespace appcore {

struct BodyInfo {
    const interstage::Graph* graph = nullptr;
    int owner = -1;     // the node holding it (If, Loop, Scan), as a drawn node number
    int parent = -1;    // the body the owner sits in; -1 for the main graph
    QString name;       // the attribute: "then_branch", "body"; "branches[1]" for a list
    int firstNode = 0;  // drawn node number of the body's first node
};

struct BodyNode {
    int body = -1;                                  // index into GraphBodies::bodies
    interstage::NodeId node = interstage::kNoNode;  // index in that body's Graph::nodes
};

struct GraphBodies {
    std::vector<BodyInfo> bodies;  // a body comes after the body holding its owner
    std::vector<BodyNode> nodes;   // drawn node number - graph.nodes.size()
    const interstage::Graph* graphOf(int body) const {
        return body < 0 ? nullptr : bodies[static_cast<size_t>(body)].graph;
    }
};

// Pointers into `graph`'s shared bodies: valid while it lives.
GraphBodies collectBodies(const interstage::Graph& graph);

// The body node with a drawn node number, or nullptr for the main graph's
// nodes and numbers out of range.
const interstage::Node* bodyNode(const interstage::Graph& graph, const GraphBodies& bodies, int drawnNode);

}  // namespace appcore
