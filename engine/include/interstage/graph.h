// The graph IR the whole engine works on: values (tensors) and nodes in
// execution order, with producer / consumer links resolved once at load.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "interstage/dtype.h"
#include "interstage/shape.h"
#include "interstage/tensor.h"

namespace interstage {

// The parsed file, kept (without large weight data) for the fallback to
// ONNX's own shape inference on ops the engine has no rule for.
struct OnnxSource;

class Graph;

using ValueId = int32_t;
using NodeId = int32_t;
constexpr ValueId kNoValue = -1;  // an omitted optional input ("" in ONNX)
constexpr NodeId kNoNode = -1;

struct Attribute {
    enum class Kind { Float, Int, String, Tensor, Graph, Floats, Ints, Strings, Tensors, Graphs, Other };
    std::string name;
    Kind kind = Kind::Other;
    float f = 0;
    int64_t i = 0;
    std::string s;
    std::vector<float> floats;
    std::vector<int64_t> ints;
    std::vector<std::string> strings;
    std::shared_ptr<const TensorData> tensor;  // Kind::Tensor
    // Kind::Graph / Kind::Graphs: control-flow bodies (If branches, Loop
    // and Scan bodies), converted like the main graph. Shared and never
    // changed: every copy of the node reads the same body.
    std::shared_ptr<const Graph> graph;
    std::vector<std::shared_ptr<const Graph>> graphs;
};

struct Node {
    std::string name;  // never empty: unnamed nodes get "<op>_<index>"
    std::string opType;
    std::string domain;            // "" for the default ONNX domain
    std::vector<ValueId> inputs;   // kNoValue for omitted optional inputs
    std::vector<ValueId> outputs;  // kNoValue for omitted optional outputs
    // Outer-scope values read by a subgraph (If / Loop / Scan bodies): they
    // must stay alive until this node runs.
    std::vector<ValueId> implicitInputs;
    std::vector<Attribute> attributes;
    bool hasSubgraph = false;

    const Attribute* attr(const std::string& attrName) const;
    // The body in a Kind::Graph attribute; nullptr when absent.
    const Graph* subgraph(const std::string& attrName) const;
    int64_t attrInt(const std::string& attrName, int64_t fallback) const;
    float attrFloat(const std::string& attrName, float fallback) const;
    std::string attrString(const std::string& attrName, const std::string& fallback) const;
    std::vector<int64_t> attrInts(const std::string& attrName) const;  // empty if absent
    std::vector<float> attrFloats(const std::string& attrName) const;
    bool hasAttr(const std::string& attrName) const { return attr(attrName) != nullptr; }

    ValueId input(size_t i) const { return i < inputs.size() ? inputs[i] : kNoValue; }
    ValueId output(size_t i) const { return i < outputs.size() ? outputs[i] : kNoValue; }
};

// What a value holds. Sequences and optionals of tensors are resolved into
// their tensors before planning (passes/lower_sequences.h); their dtype and
// declared shape then describe each element.
enum class ValueKind : uint8_t { Tensor, Sequence, Optional, OptionalSequence, Other };

// How callers pass and read sequences: element i of the sequence `name` is
// the tensor "name[i]". A present optional tensor is the tensor `name`, an
// absent one is not there; an optional sequence is its elements.
std::string sequenceElementName(const std::string& name, size_t index);

struct Value {
    std::string name;
    DataType dtype = DataType::Undefined;
    bool isTensor = true;  // false for sequences, maps, optionals
    ValueKind kind = ValueKind::Tensor;
    bool hasDeclaredShape = false;  // the file gave a shape (input, output or value_info)
    SymbolicShape declaredShape;
    bool shapeResolved = false;  // set by resolveShapes()
    Shape shape;

    NodeId producer = kNoNode;      // kNoNode for graph inputs and initializers
    std::vector<NodeId> consumers;  // in execution order; a node appears once per use
    bool isGraphInput = false;
    bool isGraphOutput = false;
    bool isInitializer = false;
    bool fromConstantNode = false;  // the output of a Constant node
    // In a subgraph: a value of an enclosing graph that this body (or a
    // body nested in it) reads by name. It has no producer here; its
    // dtype, shape and data come from the enclosing graph at each run.
    bool fromOuterScope = false;

    // The value when it is known before running: initializers, Constant
    // outputs, and small shape tensors folded by shape resolution.
    std::shared_ptr<const TensorData> constant;

    // How the CPU backend stores the tensor: 0 = as ONNX says (NCHW);
    // 16 or 8 = channels in blocks of that many, innermost (oneDNN's
    // nChw16c / nChw8c), between convolutions (passes/blocked_layout.h).
    // The channel count is then a multiple of the block, so the bytes are
    // the same; reading the tensor (Session::blob) converts it back.
    int channelBlock = 0;

    // Weights: initializers and Constant outputs (not folded intermediates).
    bool isWeight() const { return isInitializer || fromConstantNode; }
    // Bytes of the resolved shape; 0 when unresolved or not a tensor.
    std::size_t byteSize() const;
};

// An initializer whose external data could not be read (a load with
// LoadOptions::weightsOptional): its value has a dtype and shape, no data.
struct UnloadedWeight {
    ValueId value = kNoValue;
    std::string location;   // the external data file named by the model
    std::size_t bytes = 0;  // declared size
    std::string reason;     // why it was not read
};

class Graph {
public:
    std::vector<Value> values;
    std::vector<Node> nodes;      // in execution (topological) order
    std::vector<ValueId> inputs;  // graph inputs, initializers included
    std::vector<ValueId> outputs;
    std::map<std::string, int64_t> opsets;  // domain -> version ("" = default)
    std::string name;
    std::shared_ptr<const OnnxSource> source;
    std::vector<UnloadedWeight> unloadedWeights;  // empty when every weight is loaded

    int64_t opset() const;  // default-domain opset; 0 when the file names none
    ValueId find(const std::string& valueName) const;
    ValueId addValue(Value value);  // registers the name; the caller ensures uniqueness
    Value& value(ValueId id) { return values[static_cast<size_t>(id)]; }
    const Value& value(ValueId id) const { return values[static_cast<size_t>(id)]; }

    // Inputs the user feeds: graph inputs that are not initializers.
    std::vector<ValueId> runtimeInputs() const;

private:
    std::unordered_map<std::string, ValueId> index_;
};

}  // namespace interstage
