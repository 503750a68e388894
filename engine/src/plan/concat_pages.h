// Concat by page moves: in plans that allocate and free every run (reduce,
// and reduce + reuse for buffers nobody shares), a Concat input whose last
// reader is that Concat and that is not written in place need not be
// copied into the output. Its pages can
// be moved there (mremap), so its bytes join the output instead of being
// held twice. The Concat output holds only the rest of its bytes until
// then.
//
// This complements writing in place (plan/in_place.h): in place
// suits an input produced just before the Concat; an input produced long
// before (U^2-Net-P's first stage output, read again by the last decoder
// stage) would pull the whole output back to its producer, so it keeps its
// own buffer until the Concat and then hands its pages over. On
// U^2-Net-P the 50 MiB decoder concat then holds 25 MiB until its step
// instead of 50 MiB beside the 25 MiB input.
#pragma once

#include <cstddef>
#include <vector>

#include "interstage/graph.h"
#include "plan/memory_plan.h"

namespace interstage {

struct PageRules {
    std::size_t pageBytes = 4096;             // sizes and offsets must be whole pages
    std::size_t mappedFromBytes = 64 * 1024;  // smaller blocks are not mappings of their own
};

// The host's rules (HostAllocator's threshold, the OS page size).
PageRules hostPageRules();

// A Concat whose inputs lie one after another in its output: outer dims 1
// along its axis (the channel axis at batch 1), one output.
bool concatInputsAreContiguous(const Graph& graph, const Node& node);

// Adds to plan.moves every Concat input that qualifies: an intermediate of
// the Concat's dtype read once by it, not kept, filling a per-run buffer
// that ends at the Concat's step (tensors it overwrote may have shared the
// buffer before) and is never cut; the Concat's output in a per-run buffer
// too, not cut before the step; outer dims 1 along the axis (each input one
// contiguous range); sizes and offsets whole pages of mapped blocks.
void planPageMoves(const Graph& graph, const std::vector<PlannedTensor>& tensors, MemoryPlan& plan,
                   const PageRules& rules);

}  // namespace interstage
