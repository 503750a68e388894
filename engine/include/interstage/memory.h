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

// How intermediate tensors get memory: one planner per kind.
enum class PlannerKind : uint8_t {
    Default,      // every intermediate its own buffer, allocated on the first run and kept
    Reduce,       // allocated before its producer, freed after its last reader, on every run
    Reuse,        // tensors of equal size with disjoint lifetimes share a buffer, kept
    ReduceReuse,  // reuse, and the buffers nobody shares are allocated and freed as in reduce
    Arena,        // one slab, every tensor at an offset planned before the first run
};

// A memory mode: the planner, plus the two constant flags of the SDK the
// project grows from (get_memory_mode(reduce_constant,
// ignore_input_with_initializer, reduce_interstage, reuse_interstage)).
// Questions about a mode are asked through the predicates, never by
// comparing kinds at the call site.
struct MemoryMode {
    PlannerKind planner = PlannerKind::Default;
    bool reduceConstant = false;              // release the graph's weight copy once a kernel packed its own
                                              // (kept where shapes depend on input values: rebuilt per run)
    bool ignoreInputWithInitializer = false;  // initializers also listed as inputs are constants

    // Every intermediate keeps its own buffer through and after the run, so
    // any tensor can be read afterwards (Default).
    bool keepsEveryTensor() const { return planner == PlannerKind::Default; }
    // Buffers are allocated and freed during every run (Reduce, ReduceReuse).
    bool allocatesPerRun() const { return planner == PlannerKind::Reduce || planner == PlannerKind::ReduceReuse; }
    // Tensors share bytes with others whose lifetimes do not overlap (Reuse,
    // ReduceReuse, Arena).
    bool sharesBuffers() const {
        return planner == PlannerKind::Reuse || planner == PlannerKind::ReduceReuse || planner == PlannerKind::Arena;
    }
    // Kernels' scratch memory is planned like a tensor alive for its node's
    // step (allocated around it, or placed in the slab), instead of one
    // buffer of the largest size kept by the session.
    bool plansWorkspace() const { return allocatesPerRun() || planner == PlannerKind::Arena; }
    // The SDK's reduce_interstage / reuse_interstage flags of this mode.
    bool reduceInterstage() const { return allocatesPerRun(); }
    bool reuseInterstage() const { return planner == PlannerKind::Reuse || planner == PlannerKind::ReduceReuse; }

    // "default", "reduce", "reuse", "reduce+reuse", "arena", then
    // "+reduce-constant" and "+ignore-input-initializer" for the flags
    // set: what parse() reads back to this mode.
    std::string name() const;
    // Why a tensor this mode does not keep cannot be read after a run.
    std::string whyReleased() const;
    // Parses the names above (the CLI's --mode).
    static Result<MemoryMode> parse(const std::string& text);
    bool operator==(const MemoryMode&) const = default;
};

// The planner kind of the SDK's reduce_interstage / reuse_interstage flags.
PlannerKind plannerForSdkFlags(bool reduceInterstage, bool reuseInterstage);

// The SDK's get_memory_mode(reduce_constant, ignore_input_with_initializer,
// reduce_interstage, reuse_interstage).
MemoryMode memoryMode(bool reduceConstant, bool ignoreInputWithInitializer, bool reduceInterstage,
                      bool reuseInterstage);

// The presets compared side by side (the CLI's compare, the app's preset
// buttons and Compare presets): one per planner kind, each with both
// constant flags on. The SDK tutorial the project grows from runs all its
// configurations as get_memory_mode(True, True, x, x), so its table and
// ours compare like with like.
struct MemoryPreset {
    const char* name;  // the preset's short name ("reduce", "reduce+reuse"); mode.name() adds the flags
    MemoryMode mode;
};
const std::vector<MemoryPreset>& memoryPresets();
// The preset whose mode this is, or null.
const MemoryPreset* presetOf(const MemoryMode& mode);
// The SDK's four flags as the tutorial writes them, "T,T,T,F"; the arena,
// which the SDK has not, as its constant flags and "arena" ("T,T,arena").
std::string sdkFlags(const MemoryMode& mode);
// How labels and tables name a mode: a preset by its short name and its
// flags ("reduce (T,T,T,F)"), any other mode by name().
std::string modeLabel(const MemoryMode& mode);

enum class MemoryCategory : uint8_t { Weights, Interstage, Workspace, Input, Output, Staging };
enum class MemoryDevice : uint8_t { Host, Gpu };
constexpr int kMemoryCategoryCount = 6;
const char* memoryCategoryName(MemoryCategory category);

// A value of a control-flow body (If, Loop, Scan), as memory events name
// it: the session numbers each body value once, the first time its body is
// prepared (MemoryTracker::bodyValueIndex), so an event carries an index
// instead of strings.
struct BodyValue {
    NodeId node = kNoNode;  // the node of the run's graph whose step runs the body
    std::string body;       // "Loop_0 › body"; nested: "Loop_0 › body › If_2 › then_branch"
    std::string name;       // the body value's name ("workspace of NODE" for a kernel's scratch)
};

// One allocation (bytes > 0) or free (bytes < 0) the engine made.
struct MemoryEvent {
    int64_t timeNs = 0;  // since the start of the run (or of session creation for set-up events)
    int64_t bytes = 0;
    MemoryDevice device = MemoryDevice::Host;
    MemoryCategory category = MemoryCategory::Interstage;
    ValueId tensor = kNoValue;  // the tensor it holds, when one
    NodeId node = kNoNode;      // the node running when it happened (kNoNode: before/after the nodes)
    int run = 0;                // 0: session set-up; 1..N: the run
    // A body's tensor (tensor is then kNoValue: body value ids are not the
    // run graph's): its index in RunStats::bodyValues, and which run of
    // the body within its node's step (Loop/Scan iteration; If: 0). -1: none.
    int32_t bodyValue = -1;
    int32_t iteration = -1;
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
