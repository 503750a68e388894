// Control-flow bodies as the CPU kernels of If, Loop and Scan see them.
// The executor offers a SubgraphHost in every RunContext: it prepares a
// body (shapes, kernels, a memory plan in the run's memory mode, its
// tensors allocated through the run's tracked allocator) and runs it on
// views the kernel hands in. Kernels never plan or allocate a body's
// tensors themselves, as they never allocate their own outputs.
#pragma once

#include <vector>

#include "cpu/kernel.h"

namespace interstage::cpu {

// A body prepared for one set of input dtypes and shapes.
class Subgraph {
public:
    virtual ~Subgraph() = default;
    // One run. inputs: the body's formal inputs in order (the caller's
    // views, only read). outputs: views of the body's outputs, valid until
    // this body runs again or is prepared for other shapes.
    virtual Status run(const std::vector<TensorView>& inputs, std::vector<TensorView>& outputs) = 0;
    // The node is done with the body for this run: buffers the memory mode
    // allocates per run go back now, and the output views end.
    virtual void finish() = 0;
};

class SubgraphHost {
public:
    virtual ~SubgraphHost() = default;
    // The body ready for inputs like these (dtype and shape; values too,
    // when the body's shapes depend on them). The same Subgraph comes back
    // while they stay alike. The outer values the body reads are those of
    // the node now running.
    virtual Result<Subgraph*> prepare(const Graph& body, const std::vector<TensorView>& inputs) = 0;
    // A Cancelled status once the run was asked to stop: loops check it
    // between iterations.
    virtual Status checkStop() = 0;
};

}  // namespace interstage::cpu
