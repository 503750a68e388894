// Memory modes and memory accounting: what a session allocates, when, and
// why; the events the GUI draws live.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "interstage/graph.h"
#include "interstage/status.h"

namespace interstage {

// The flags of the SDK the project grows from, plus the planned arena.
// Combinable: reduce + reuse frees the buffers that reuse cannot share.
struct MemoryMode {
    bool reduceConstant = false;              // release the graph's weight copy once a kernel packed its own
    bool ignoreInputWithInitializer = false;  // initializers also listed as inputs are constants
    bool reduceInterstage = false;            // allocate before the producer, free after the last consumer, every run
    bool reuseInterstage = false;             // equal-size tensors with disjoint lifetimes share a buffer
    bool arena = false;                       // one slab, every tensor at a planned offset

    // "default", "reduce", "reuse", "reduce+reuse", "arena" (+ "+reduce-constant").
    std::string name() const;
    // Parses the names above (the CLI's --mode).
    static Result<MemoryMode> parse(const std::string& text);
};

// The SDK's get_memory_mode(reduce_constant, ignore_input_with_initializer,
// reduce_interstage, reuse_interstage).
MemoryMode memoryMode(bool reduceConstant, bool ignoreInputWithInitializer, bool reduceInterstage,
                      bool reuseInterstage);

enum class MemoryCategory : uint8_t { Weights, Interstage, Workspace, Input, Output, Staging };
enum class MemoryDevice : uint8_t { Host, Gpu };
constexpr int kMemoryCategoryCount = 6;
const char* memoryCategoryName(MemoryCategory category);

// One allocation (bytes > 0) or free (bytes < 0) the engine made.
struct MemoryEvent {
    int64_t timeNs = 0;  // since the start of the run (or of session creation for set-up events)
    int64_t bytes = 0;
    MemoryDevice device = MemoryDevice::Host;
    MemoryCategory category = MemoryCategory::Interstage;
    ValueId tensor = kNoValue;  // the tensor it holds, when one
    NodeId node = kNoNode;      // the node running when it happened (kNoNode: before/after the nodes)
    int run = 0;                // 0: session set-up; 1..N: the run
};

// One reading of the process's resident memory.
struct RssSample {
    int64_t timeNs = 0;
    std::size_t bytes = 0;
    int run = 0;
};

// The process's resident memory now (/proc/self/statm); 0 when unreadable.
std::size_t processResidentBytes();

}  // namespace interstage
