// The state of lowerSequences() (passes/lower_sequences.h) while it walks
// the graph: what each sequence or optional value holds, which tensor
// outputs are other tensors, and the tensor-only node list it builds.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "interstage/graph.h"
#include "interstage/model.h"
#include "interstage/status.h"

namespace interstage::sequences {

// What a sequence or optional value holds once resolved.
struct Held {
    ValueKind kind = ValueKind::Sequence;  // Sequence, Optional or OptionalSequence
    bool present = true;                   // optionals: whether it holds anything
    std::vector<ValueId> items;            // the tensors (at most one for Optional)
};

class Lowering {
public:
    Lowering(Graph& graph, const InputShapes& shapes, const ShapeOptions& options, const InputValues* values)
        : g_(graph), shapes_(shapes), options_(options), values_(values) {}

    Status run();

    // Lowers the node, or passes it on (inputs renamed) when it is a
    // tensor op. Body nodes of SequenceMap come through here too.
    Status handle(Node node);

private:
    friend struct OpLowering;

    Status flattenInputs();
    Status flattenOutputs();
    void dropUnreadConstants();
    Status lowerOp(const Node& node);
    Status passOn(Node node);
    bool takesSequences(const Node& node) const;
    Status inlineSequenceMap(const Node& node);
    Result<std::vector<ValueId>> inlineBody(const Node& owner, const Graph& body, const std::vector<ValueId>& bindings,
                                            const std::string& prefix);

    // The tensor an output turned out to be (SequenceAt...), or id itself.
    ValueId resolved(ValueId id) const;
    const Held* heldBy(ValueId id) const;
    // The held value an op input must be; an error naming node and input otherwise.
    Result<const Held*> sequenceInput(const Node& node, size_t index) const;
    // A scalar integer input known before running (a constant or a value
    // folded from shapes); an error naming the node and why otherwise.
    Result<std::optional<int64_t>> knownScalar(const Node& node, size_t index);
    Result<Shape> knownShape(const Node& node, ValueId id);
    Result<std::shared_ptr<const TensorData>> knownValue(const Node& node, size_t index);
    Result<std::shared_ptr<const TensorData>> knownValueOf(const Node& node, ValueId id, const std::string& what);
    Status unrollLoop(const Node& node);
    Status inlineIf(const Node& node);
    // A control-flow node's outputs: what its inlined body gave.
    void takeResults(const Node& node, const std::vector<ValueId>& results);
    // Whether the Loop's condition lets another iteration run; an error
    // when it is known only at run time.
    Result<bool> loopGoesOn(const Node& node, ValueId condition);
    Status stackScanOutput(const Node& node, ValueId output, const std::vector<ValueId>& iterations);

    // Marks a lowered node's output as no tensor of the executed graph.
    void retire(ValueId id);
    void hold(ValueId id, Held held);
    void alias(ValueId output, ValueId tensor);
    ValueId newTensor(const std::string& name);
    ValueId newWeight(const std::string& name, TensorData data);
    void emit(const Node& origin, const std::string& opType, std::vector<ValueId> inputs, std::vector<ValueId> outputs,
              std::vector<Attribute> attributes = {});
    ValueId copyAsOutput(ValueId tensor, const std::string& name);
    ValueId outputAs(ValueId tensor, const std::string& name);

    Graph& g_;
    const InputShapes& shapes_;
    const ShapeOptions& options_;
    const InputValues* values_;  // the run's inputs, when lowering for one run
    std::map<ValueId, Held> held_;
    std::map<ValueId, ValueId> aliases_;
    std::vector<Node> out_;
    // The names of the bodies being inlined, innermost last: a body nested
    // in an inlined body reads its values by these names.
    std::vector<std::map<std::string, ValueId>> scopes_;
    int emitted_ = 0;
    // Shapes of the tensor-only prefix built so far, resolved on demand.
    std::optional<Graph> resolvedPrefix_;
    size_t resolvedPrefixNodes_ = 0;
};

Attribute intAttribute(const std::string& name, int64_t value);
Attribute intsAttribute(const std::string& name, std::vector<int64_t> values);

}  // namespace interstage::sequences
