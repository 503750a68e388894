// Channel-blocked activations between convolutions (CPU backend).
//
// oneDNN's fast convolution kernels read and write channels in blocks of 16
// (AVX-512) or 8 (AVX2), innermost: nChw16c. Handed NCHW, a convolution
// either reorders in and out through its workspace or runs as a matrix
// product on NCHW, 2-3x slower on MobileNet's pointwise layers. This pass
// keeps the tensors that only travel from convolutions to convolutions
// (through elementwise ops whose operands have the output's shape, such as a
// residual Add, or are a constant scalar, through channel Concats, 2-D
// Max / Average pools and H/W Resizes) in the blocked layout, so no reorder happens between
// them; global pooling reads them as they are.
//
// A group of tensors joined by same-shape elementwise nodes is blocked when
// every tensor in it is a 4-D float intermediate whose channel count is a
// multiple of the block, none is a graph output or pinned, every producer
// and consumer is a 2-D Conv (dense or depthwise; as its data input), an
// elementwise node, Concat, pool or Resize of the group, or (consumer only) a
// global pool, and a Conv touches the group. A Conv left
// with one side blocked and the other plain reorders the plain side through
// its workspace in one piece (no stripes), so a group is left plain when
// that plain side would exceed `mixedPlainBound` bytes: the workspace must
// not grow past what the striped convolutions use.
//
// The layout depends on the graph and the CPU only, never on the memory
// mode: every mode computes the same bits.
#pragma once

#include <cstddef>
#include <set>
#include <string>

#include "interstage/graph.h"

namespace interstage {

// Sets Value::channelBlock (block 16 or 8; 0 leaves every tensor plain).
// Returns the number of tensors blocked.
int chooseBlockedLayouts(Graph& graph, int block, std::size_t mixedPlainBound, const std::set<std::string>& pinned);

}  // namespace interstage
