// What `interstage-cli info` reports about a model with resolved shapes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "interstage/graph.h"
#include "interstage/lifetimes.h"

namespace interstage {

struct NamedShape {
    std::string name;
    DataType dtype = DataType::Undefined;
    Shape shape;
    bool shapeKnown = true;  // false: resolveShapes() could not find it (shown as ?)
};

// A control-flow node's body as the static lower bound counts it: the
// body's own intermediates at their peak step (bodies nested inside it
// are not added), for the branch the condition picks when it is known
// before running, else for the larger branch.
struct SubgraphBound {
    NodeId node = kNoNode;
    std::string body;          // "then_branch", "else_branch", "body"
    std::size_t bytes = 0;     // the body's lower bound
    bool taken = false;        // the branch taken (condition known); false: the larger of the bodies
    bool onlyOneFits = false;  // the other branch cannot take these shapes (no run takes it)
};

struct ModelSummary {
    int64_t opset = 0;
    int nodes = 0;
    std::map<std::string, int> ops;  // op type -> count
    std::size_t weightBytes = 0;     // initializers + Constant outputs (loaded ones)
    int64_t weightElements = 0;
    std::size_t unloadedWeightBytes = 0;  // declared by initializers whose external data was not read
    int unloadedWeights = 0;
    int intermediateCount = 0;
    std::size_t intermediateBytes = 0;
    LowerBound lowerBound;
    // Control-flow nodes whose bodies resolve, and the bound with each
    // one's body added at its step (equal to lowerBound without any).
    std::vector<SubgraphBound> subgraphs;
    LowerBound lowerBoundWithSubgraphs;
    std::string largestTensor;
    std::size_t largestTensorBytes = 0;
    std::vector<NamedShape> inputs;  // runtime inputs (not initializers)
    std::vector<NamedShape> outputs;
};

ModelSummary summarizeModel(const Graph& graph);

}  // namespace interstage
