// Sequences and optionals of tensors, resolved into the tensors they hold
// before shapes resolve: the planner, the memory modes and both backends
// then see only tensors, so the plan still counts every byte.
#pragma once

#include <string>
#include <string_view>

#include "interstage/graph.h"
#include "interstage/model.h"
#include "interstage/status.h"

namespace interstage {

// Whether the op is resolved by lowerSequences() and never runs itself
// (SequenceAt, SplitToSequence, Optional, ...).
bool isSequenceOp(std::string_view opType);

// Whether the graph, or a body at any depth, has sequence or optional
// values or ops to resolve.
bool hasSequenceValues(const Graph& graph);

// Rewrites the graph so that it holds tensors only:
// - a sequence input becomes one input per element `shapes` names
//   ("x[0]", "x[1]", ...; none: an empty sequence), an optional input is
//   present when `shapes` names it;
// - each sequence op becomes the tensor ops it amounts to: SequenceAt an
//   alias of the element, SequenceLength and OptionalHasElement
//   constants, SplitToSequence a Split, ConcatFromSequence a Concat,
//   SequenceMap its body once per element;
// - a sequence output becomes one output per element, "y[0]", "y[1]", ...
// Fails, naming node, op and value, where a length or position is known
// only at run time or a sequence flows through an op it cannot resolve.
// A length or position that the inputs' values may decide (a graph input,
// or computed from one) is a ShapeError without `values`: lowered again
// with a run's input values, it folds or is Unsupported.
Status lowerSequences(Graph& graph, const InputShapes& shapes, const ShapeOptions& options,
                      const InputValues* values = nullptr);

}  // namespace interstage
