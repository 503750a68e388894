// Loading an ONNX file into the graph IR, and resolving shapes for concrete
// input sizes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "interstage/graph.h"
#include "interstage/status.h"
#include "interstage/tensor.h"

namespace interstage {

struct LoadOptions {
    // Files larger than this are refused before reading (default 8 GiB).
    uint64_t maxFileBytes = uint64_t(8) << 30;
    // Any one tensor larger than this is refused as absurd (default 16 GiB).
    uint64_t maxTensorBytes = uint64_t(16) << 30;
    // Graphs with more nodes are refused (default 2 million).
    int64_t maxNodes = 2'000'000;
    // Inspection: external data that is missing or unreadable does not stop
    // the load; those initializers keep their type and shape but no data
    // (Graph::unloadedWeights lists them) and a Session refuses to run them.
    bool weightsOptional = false;
    // The memory guard before reading (interstage/memory_budget.h): a file
    // larger than the budget, or external weights that cannot fit with it,
    // are refused with the numbers before they are read (with
    // weightsOptional, external weights that cannot fit are left unloaded,
    // the refusal their reason). maxMemoryBytes set: that budget; 0 with
    // automaticBudget: the host's available memory less a margin; 0
    // without: none.
    uint64_t maxMemoryBytes = 0;
    bool automaticBudget = true;
};

struct Model {
    Graph graph;
    std::string path;       // as given; empty when loaded from memory
    std::string directory;  // folder external data is read from (and must stay in)
    int64_t irVersion = 0;
    std::string producerName;
    std::string producerVersion;
    std::string domain;
};

// Reads and checks an ONNX file. Every failure is a Status naming the
// problem (missing file, not a model, truncated, cycle, dangling input,
// external data outside the model's folder, size mismatch, absurd dims).
Result<Model> loadModel(const std::string& path, const LoadOptions& options = {});
// The same from bytes in memory; external data is read relative to directory.
Result<Model> loadModelFromBytes(const std::string& bytes, const std::string& directory,
                                 const LoadOptions& options = {});

// Concrete dims for graph inputs, by name.
using InputShapes = std::map<std::string, Shape>;

struct ShapeOptions {
    // Dynamic input dims the user did not set: dim 0 (batch) becomes 1, other
    // dims become defaultDim. Dims named by one symbol get one size: the
    // size the user gave it through another input, else defaultBatch for a
    // batch symbol (model/input_dims.h). The defaults used are reported in
    // ShapeReport::defaultedInputs so the user sees them.
    int64_t defaultBatch = 1;
    int64_t defaultDim = 320;
    // Shape tensors up to this many elements are folded to constants so that
    // data-dependent chains (Shape -> Slice -> Concat -> Resize) resolve.
    int64_t maxFoldElements = 1 << 16;
    // When a shape depends on input values, run inputs up to this many
    // elements lend the rules their values. Larger than maxFoldElements
    // because the ops sized by values (NonMaxSuppression's scores, Unique,
    // NonZero, Compress) read whole inputs without folding them.
    int64_t maxInputValueElements = 1 << 22;
    // Inspection: a value whose shape cannot be found is recorded in
    // ShapeReport::unresolved (and left unresolved) instead of failing;
    // everything downstream that can still be resolved is.
    bool keepGoing = false;
    // A given input shape may differ from dims the model declares static
    // (a torch export at one fixed size): the graph is tried at that size.
    // Off, such a shape is refused naming the declared dims.
    bool allowOtherDims = false;
};

// A value resolveShapes() could not give a shape (with keepGoing).
struct UnresolvedShape {
    ValueId value = kNoValue;
    NodeId node = kNoNode;  // its producer
    std::string reason;     // why, or which input of the node had no shape
    bool rootCause = true;  // false when only an input's shape was missing
};

struct ShapeReport {
    std::vector<std::string> defaultedInputs;  // "x: 1x3x320x320 (defaults for unnamed dims)"
    int foldedValues = 0;                      // values computed at plan time
    std::vector<UnresolvedShape> unresolved;   // keepGoing only, in execution order
    // What the user should know though shapes resolved: an If branch that
    // cannot run with these shapes, its node's outputs taken from the other.
    std::vector<std::string> notes;
};

// Input values known before shapes are resolved (a run's actual inputs):
// shapes that depend on input values (a Reshape whose target shape is a
// graph input) then resolve too.
using InputValues = std::map<std::string, TensorData>;

// Gives every value a concrete shape for the given input shapes (an input
// in `values` but not in `inputShapes` takes its value's shape). Fails with
// a Status naming the node, its op and why, when a shape cannot be found.
Result<ShapeReport> resolveShapes(Graph& graph, const InputShapes& inputShapes, const ShapeOptions& options = {},
                                  const InputValues* values = nullptr);

// "x=1x3x640x640" -> {"x", {1,3,640,640}}.
Result<std::pair<std::string, Shape>> parseInputSpec(const std::string& spec);

}  // namespace interstage
