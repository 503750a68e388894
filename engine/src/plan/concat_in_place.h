// Concat in place: a Concat along an axis whose outer dims are all 1 (the
// channel axis at batch 1, the common case in CNNs) puts each input in one
// contiguous range of its output. Such inputs can be written by their
// producers straight into that range, so they need no buffer of their own
// and the Concat copies nothing. On U^2-Net-P this takes the 50 MiB decoder
// concat's two 25 MiB inputs off the peak.
//
// Planners stay unaware: the group's host is planned as one tensor living
// from its first member's producer to its last reader, and members are
// placed inside it afterwards.
#pragma once

#include <cstddef>
#include <vector>

#include "interstage/graph.h"
#include "interstage/memory.h"
#include "plan/concat_pages.h"
#include "plan/memory_plan.h"

namespace interstage {

// Where a planned tensor lives when it has no buffer of its own.
struct TensorAlias {
    int host = -1;            // index of the planned tensor whose bytes it occupies; -1: none
    std::size_t offset = 0;   // byte offset inside the host
};

// For each planned tensor (same order): the Concat output it can be written
// into. A tensor qualifies when it is an intermediate that is not kept
// (graph output or pinned), appears once among one Concat's inputs, and
// that Concat's outer dims are 1. Each tensor joins at most one Concat.
// Of those, only the ones that do not raise the peak of live bytes are
// taken (writing in place stretches the Concat buffer's life).
// pageMoves: the planner will move the pages of inputs left out (reduce
// plans, plan/concat_pages.h), so a candidate is weighed against that.
std::vector<TensorAlias> concatAliases(const Graph& graph, const std::vector<PlannedTensor>& tensors,
                                       const PageRules* pageMoves = nullptr);

// planFor() on the alias groups, then every member placed in its host's
// buffer at its offset (chains of Concats resolved to the outermost host).
MemoryPlan planWithAliases(const MemoryMode& mode, const std::vector<PlannedTensor>& tensors,
                           const std::vector<TensorAlias>& aliases);

// What a session uses: planWithAliases() with concatAliases(), unless its
// peak is above planFor()'s alone, then planFor(). (Reuse shares buffers of
// equal size only; regrouped tensors can pair up slightly worse.) Either
// way, the Concat inputs that can hand their pages to their Concat do so
// (plan/concat_pages.h).
MemoryPlan planConcatInPlace(const MemoryMode& mode, const Graph& graph, const std::vector<PlannedTensor>& tensors,
                             const PageRules& rules = hostPageRules());

}  // namespace interstage
