// The CPU kernel interface. A kernel is made once per node after shapes are
// resolved (prepare: check attributes, pack weights, build oneDNN
// primitives) and then run any number of times on buffers the engine hands
// it: kernels never allocate tensor memory themselves, so the memory modes
// decide where every byte lives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "interstage/graph.h"
#include "interstage/status.h"

namespace interstage::cpu {

// A tensor as a kernel sees it: dtype, shape and a pointer the engine owns.
struct TensorView {
    DataType dtype = DataType::Undefined;
    Shape shape;
    void* data = nullptr;

    int64_t count() const;
    std::size_t bytes() const { return static_cast<std::size_t>(count()) * dataTypeSize(dtype); }
    template <class T>
    T* as() const {
        return static_cast<T*>(data);
    }
};

// What a kernel may look at while preparing.
class PrepareContext {
public:
    PrepareContext(const Graph& graph, const Node& node, int threads) : graph_(graph), node_(node), threads_(threads) {}
    const Node& node() const { return node_; }
    const Graph& graph() const { return graph_; }
    int threads() const { return threads_; }
    int64_t opset() const { return graph_.opset(); }

    size_t inputCount() const { return node_.inputs.size(); }
    bool hasInput(size_t i) const { return node_.input(i) != kNoValue; }
    const Value& input(size_t i) const { return graph_.value(node_.input(i)); }
    const Shape& inputShape(size_t i) const { return input(i).shape; }
    DataType inputType(size_t i) const { return input(i).dtype; }
    // Known before running (weights, folded constants); nullptr otherwise.
    const TensorData* inputConstant(size_t i) const { return hasInput(i) ? input(i).constant.get() : nullptr; }
    size_t outputCount() const { return node_.outputs.size(); }
    bool hasOutput(size_t i) const { return node_.output(i) != kNoValue; }
    const Value& output(size_t i) const { return graph_.value(node_.output(i)); }

    // unsupported("node 'n' (Op): why") / invalidModel for bad attributes.
    Status unsupportedHere(const std::string& why) const;
    Status invalidHere(const std::string& why) const;

private:
    const Graph& graph_;
    const Node& node_;
    int threads_;
};

class SubgraphHost;

// What a kernel gets on every run: views of its inputs and outputs (omitted
// optional ones have data == nullptr) and its workspace.
struct RunContext {
    std::vector<TensorView> inputs;
    std::vector<TensorView> outputs;
    void* workspace = nullptr;  // workspaceBytes() bytes, owned by the engine
    int threads = 1;
    // Control-flow kernels: runs their bodies inside the run's memory mode
    // (cpu/subgraph.h); nullptr where the executor offers none.
    SubgraphHost* subgraphs = nullptr;

    bool hasInput(size_t i) const { return i < inputs.size() && inputs[i].data != nullptr; }
};

class Kernel {
public:
    virtual ~Kernel() = default;
    virtual Status prepare(PrepareContext& context) = 0;
    // Scratch memory the kernel needs while running (oneDNN scratchpads in
    // user mode, im2col buffers): the engine allocates and accounts it.
    virtual std::size_t workspaceBytes() const { return 0; }
    // Bytes of weights the kernel holds in its own packed form (oneDNN
    // blocked layouts, folded BatchNorm): accounted as weights.
    virtual std::size_t packedWeightBytes() const { return 0; }
    // True when the kernel no longer needs the graph's copy of its weights
    // after prepare() (reduce-constant may then release it).
    virtual bool ownsWeights() const { return false; }
    // True when the kernel stays correct with its output placed over the
    // start of input 0 (the row-striped conv): the planner may then put it
    // there when that input dies at this node. Elementwise kernels are
    // known to the planner by op (plan/in_place.h).
    virtual bool writesOverInput() const { return false; }
    virtual Status run(RunContext& context) = 0;
};

using KernelFactory = std::unique_ptr<Kernel> (*)();

// The op's CPU kernel, from the op table (ops/op_table.h), for the default
// ONNX domain; nullptr when there is none.
KernelFactory findKernel(const std::string& opType);
// The node's CPU kernel, in the node's domain (contrib ops included).
KernelFactory findKernel(const Node& node);
std::vector<std::string> supportedOps();

}  // namespace interstage::cpu
