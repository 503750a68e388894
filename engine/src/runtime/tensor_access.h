// Which tensors a session can show after a run, and why not the others:
// fusion removed them, the passes made them, reduce-constant released
// them, or the memory mode shared or freed their bytes. The engine names
// the ways out as concepts (Status::offers(Remedy)); each front end
// offers them as its own flags or buttons.
#pragma once

#include <set>
#include <string>

#include "interstage/graph.h"
#include "interstage/memory.h"
#include "interstage/status.h"
#include "passes/passes.h"

namespace interstage {

struct TensorAccess {
    const Graph& exec;  // the graph that ran
    const Graph& file;  // the file's graph
    const RemovedValues& removed;
    const MemoryMode& mode;
    const std::set<std::string>& pinned;
    int runs = 0;  // runs so far
};

// A constant (a weight still held) or a tensor the executor holds.
struct Readable {
    ValueId id = kNoValue;
    const TensorData* constant = nullptr;
};

Result<Readable> findReadable(const std::string& name, const TensorAccess& access);

}  // namespace interstage
