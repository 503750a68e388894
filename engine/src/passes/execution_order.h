// A memory-aware execution order. The file's order is one topological
// order among many; which one runs decides which tensors are alive
// together, and so the peak of the modes that free tensors (reduce) or
// place them by lifetime (reuse, arena). Default mode keeps every tensor
// and does not care.
//
// The order: greedy list schedules (the file's order, except that a node
// whose run frees at least as many bytes as it allocates runs as soon as
// it is ready), then a local search that moves the readers and producers
// of tensors held at the highest steps off those steps. On U^2-Net-P the
// side-output convolutions (64 channels in, 1 out) then run right after
// their decoder stage's upsample instead of after the whole decoder, so the
// stage outputs they read (8 MiB at 160^2 .. 10^2) are gone before the
// 320^2 decoder stage, where the peak is. Kernel workspace is not known
// yet when the order is chosen, so it is not counted.
//
// Nothing runs differently, only in another order, so outputs are the same
// bits. The new order is kept only where it lowers the planned peak.
#pragma once

#include <cstddef>
#include <set>
#include <string>

#include "interstage/graph.h"
#include "plan/in_place.h"

namespace interstage {

struct ExecutionOrderReport {
    std::size_t fileOrderPeak = 0;  // planned peak of live bytes in the incoming order
    std::size_t chosenPeak = 0;     // the same for the order the graph has now
    int nodesMoved = 0;             // nodes whose position changed (0: the incoming order kept)
};

// Reorders graph.nodes (and recomputes producers and consumers) when that
// lowers the peak of live intermediate bytes, measured as planned for the
// reduce mode: with what inPlace allows written in place (plan/in_place.h),
// pinned tensors and graph outputs alive to the end.
ExecutionOrderReport orderForMemory(Graph& graph, const std::set<std::string>& pinned, const InPlaceOptions& inPlace);

}  // namespace interstage
