// Tensors written where another tensor's bytes already are, so that they
// need no buffer of their own:
//
// - Concat members. A Concat along an axis whose outer dims are all 1 (the
//   channel axis at batch 1, the common case in CNNs) puts each input in
//   one contiguous range of its output. Such an input can be written by its
//   producer straight into that range, and the Concat copies nothing. On
//   U^2-Net-P this takes the 50 MiB decoder concat's inputs off the peak.
// - Overwrites. An elementwise op (Add, Mul, Relu, ...) whose input dies at
//   that op can write its output over that input: the kernels read each
//   element before writing it. U^2-Net-P's residual Adds at 320^2 then hold
//   two 25 MiB tensors instead of three. Convolutions that run in row
//   stripes with their write-back one stripe behind (the kernel says so)
//   can likewise write over an input that dies there; the buffer then keeps
//   only the output's bytes after that step.
//
// Planners stay unaware: a group (a tensor and everything written inside
// it) is planned as one tensor living from its first member's producer to
// its last reader, and members are placed inside it afterwards.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "interstage/graph.h"
#include "interstage/memory.h"
#include "plan/concat_pages.h"
#include "plan/memory_plan.h"

namespace interstage {

// Where a planned tensor lives when it has no buffer of its own.
struct TensorAlias {
    enum class Kind { None, ConcatMember, Overwrite };
    int host = -1;           // index of the planned tensor whose bytes it occupies; -1: none
    std::size_t offset = 0;  // byte offset inside the host
    Kind kind = Kind::None;
};

struct InPlaceOptions {
    bool concat = true;  // Concat members
    bool ops = true;     // overwrites by elementwise ops
    // Whether the node at this step is a convolution whose kernel may write
    // its output over its input (runs in row stripes, write-back lagging);
    // unset: none. Fewer output bytes need per-run buffers and page rules
    // (the input's buffer is cut to the output's bytes).
    std::function<bool(const Graph&, size_t step)> stripedConv;
    // Per-run buffers (reduce plans): the page rules for cut buffers and
    // page moves; nullptr: neither (buffers kept through the run).
    const PageRules* pages = nullptr;
    // With pages: Concat inputs hand their pages to their Concat
    // (plan/concat_pages.h), weighed when choosing and planned after.
    bool movePages = false;
};

// The options for host memory: Concat members and / or overwrites, with
// the host's page rules for cut buffers and page moves (a Concat written
// without copies moves pages only where Concat members are on).
// stripedConv is left unset: the caller knows which convs run striped.
InPlaceOptions hostInPlaceOptions(bool concat, bool ops);

// For each planned tensor (same order): where it is written instead of a
// buffer of its own. Candidates:
// - a Concat member: an intermediate that is not kept, appears once among
//   one Concat's inputs with outer dims 1;
// - an overwrite: the output of an elementwise op (or a striped conv) of
//   an input that is an intermediate, not kept, read last by that op, with
//   the output's dtype and layout and (elementwise) its bytes, that is no
//   Concat member candidate and inside which everything written (Concat
//   members, nested or not) died before.
// Each tensor takes at most one alias. Of the candidates, only those that
// do not raise the peak of live bytes are taken (a Concat member stretches
// its Concat's buffer back to the member's producer).
std::vector<TensorAlias> inPlaceAliases(const Graph& graph, const std::vector<PlannedTensor>& tensors,
                                        const InPlaceOptions& options);

// inPlaceAliases() as it was first written: every tensor weighed in each
// trial, not only those a candidate can touch (the others add the same
// bytes to every trial). The same aliases, slower: the reference the tests
// hold inPlaceAliases() to.
std::vector<TensorAlias> inPlaceAliasesWeighingEveryTensor(const Graph& graph,
                                                           const std::vector<PlannedTensor>& tensors,
                                                           const InPlaceOptions& options);

// A tensor the rules could write inside another, before any choice:
// every Concat member candidate and every overwrite candidate of
// inPlaceAliases(). The aliases a plan takes are a subset of these, which
// is what makes plan/aliased_bound.h a bound.
struct AliasCandidate {
    size_t member = 0;  // indices into the planned tensors
    size_t host = 0;
};
std::vector<AliasCandidate> inPlaceCandidates(const Graph& graph, const std::vector<PlannedTensor>& tensors,
                                              const InPlaceOptions& options);

// planFor() on the alias groups, then every member placed in its host's
// buffer at its offset (chains resolved to the outermost host). A group
// whose root a striped conv overwrites with fewer bytes is cut to them
// after that step (BufferSpec::trims).
MemoryPlan planWithAliases(const MemoryMode& mode, const std::vector<PlannedTensor>& tensors,
                           const std::vector<TensorAlias>& aliases);

// What a session uses: planWithAliases() with inPlaceAliases(), unless its
// peak is above planFor()'s alone, then planFor(). (Reuse shares buffers of
// equal size only; regrouped tensors can pair up slightly worse.) Either
// way, with options.movePages, the Concat inputs that can hand their pages
// to their Concat do so (plan/concat_pages.h).
MemoryPlan planInPlace(const MemoryMode& mode, const Graph& graph, const std::vector<PlannedTensor>& tensors,
                       const InPlaceOptions& options);

// Ops whose CPU kernels may write their output over an input of the same
// bytes (each element read before it is written).
bool overwritesElementwise(const Node& node);

}  // namespace interstage
