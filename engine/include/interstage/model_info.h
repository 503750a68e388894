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
    std::string largestTensor;
    std::size_t largestTensorBytes = 0;
    std::vector<NamedShape> inputs;  // runtime inputs (not initializers)
    std::vector<NamedShape> outputs;
};

ModelSummary summarizeModel(const Graph& graph);

}  // namespace interstage
