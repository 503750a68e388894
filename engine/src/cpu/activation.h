// Activations that layer fusion folds into the node producing their input
// (Conv, ConvTranspose, Gemm, MatMul, Add). The fusion pass writes them as
// node attributes; kernels read them with fusedActivation() and apply them
// to their output (oneDNN kernels as an eltwise post-op).
//
//   _fused_activation : string  Relu | Clip | Sigmoid | HardSigmoid | HardSwish | LeakyRelu
//                               | Gelu | GeluTanh (MatMul only: passes/fuse_matmul_epilogue)
//   _fused_alpha      : float   LeakyRelu alpha, HardSigmoid alpha, Clip min
//   _fused_beta       : float   HardSigmoid beta, Clip max
#pragma once

#include <cstdint>

#include "interstage/graph.h"

namespace interstage::cpu {

struct Activation {
    enum class Kind { None, Relu, Clip, Sigmoid, HardSigmoid, HardSwish, LeakyRelu, GeluErf, GeluTanh };
    Kind kind = Kind::None;
    float alpha = 0;
    float beta = 0;
    bool active() const { return kind != Kind::None; }
};

Activation fusedActivation(const Node& node);

// Applies the activation in place to n floats (threads: OpenMP inside).
void applyActivation(const Activation& activation, float* data, int64_t n);

// The same on one thread, for kernels that finish an output row while it is
// in cache: vectorized with the switch outside the loop
// (ops/elementwise/fused_activation.cpp; the Gelu forms element by element).
void activateRow(const Activation& activation, float* data, int64_t n);

// One element, for kernels that fuse it into their own loop.
float activate(const Activation& activation, float x);

}  // namespace interstage::cpu
