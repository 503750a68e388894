// Control-flow bodies' memory as the app shows it: the label of a body
// value's memory ("embedded in decode › body, iteration 3") for the
// timeline's tooltip, and one block per body value and iteration for the
// memory map, drawn inside the step of the node that runs the body.
#pragma once

#include <QString>
#include <cstddef>
#include <vector>

#include "interstage/run_stats.h"

namespace appcore {

// "<value> in <node> › <body>, iteration k" (no iteration part when k < 0);
// an index the table does not hold yet (a live batch before the run's
// table arrived) reads "body value #i".
QString bodyValueLabel(const std::vector<interstage::BodyValue>& table, int bodyValue, int iteration);

// A body value's memory in one iteration of a run, as the memory map
// draws it: in the node's step, the step's width shared by the iterations.
struct BodyBlock {
    QString label;  // bodyValueLabel()
    int step = 0;   // the node's step in the run (MemoryEvent::node)
    int iteration = 0;
    int iterations = 1;     // of that body in the run (the shown ones: at most kMaxBodyIterations)
    int lane = 0;           // 0..: one lane per body value, in order of first allocation
    std::size_t bytes = 0;  // the largest allocation of it in that iteration
};

// Iterations drawn per body: a Loop of thousands would be slivers.
constexpr int kMaxBodyIterations = 64;

// The blocks of a run's body memory, from its events (allocations that
// carry a body value), lanes in order of first allocation.
std::vector<BodyBlock> bodyBlocks(const interstage::RunStats& stats);

}  // namespace appcore
