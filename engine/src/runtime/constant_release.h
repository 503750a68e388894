// Which weight copies a session holds, and dropping the ones nobody reads.
#pragma once

#include <cstddef>
#include <set>
#include <string>

#include "interstage/graph.h"

namespace interstage {

// Drops the float32 / float16 / bfloat16 weights over 1 KiB that no kernel reads from the graphs
// any more (`stillNeeded` lists those that are read; graph outputs and
// pinned tensors always stay). The weights the passes made (folded Conv
// weights and biases, folded constants) are the engine's intermediates,
// not the model's data: they go in every mode, and the next preparation
// makes them again. With fileWeightsToo (reduce-constant) the file's
// weights go as well, from both graphs.
void releaseUnreadConstants(Graph& exec, Graph& file, std::set<const TensorData*> stillNeeded, bool fileWeightsToo,
                            const std::set<std::string>& pinned);

// The bytes of the distinct weight copies the two graphs would still hold
// after releaseUnreadConstants with these arguments, without releasing
// anything (the budget is checked before the plan is set up).
std::size_t keptConstantBytes(const Graph& exec, const Graph& file, std::set<const TensorData*> stillNeeded,
                              bool fileWeightsToo, const std::set<std::string>& pinned);

// Bytes of the distinct weight copies the two graphs still hold.
std::size_t heldConstantBytes(const Graph& file, const Graph& exec);

}  // namespace interstage
