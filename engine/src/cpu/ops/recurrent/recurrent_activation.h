// The activation functions LSTM, GRU and RNN name in their `activations`
// attribute (f, g, h per direction), with their alpha / beta, and the
// row-wise application the cells call on every step. `clip` bounds each
// activation's input to [-clip, clip] first, as the ONNX ops define it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "interstage/graph.h"

namespace interstage::cpu::recurrent {

struct NamedActivation {
    enum class Kind {
        Relu,
        Tanh,
        Sigmoid,
        Affine,
        LeakyRelu,
        ThresholdedRelu,
        ScaledTanh,
        HardSigmoid,
        Elu,
        Softsign,
        Softplus
    };
    Kind kind = Kind::Tanh;
    float alpha = 0;
    float beta = 0;
};

// The node's activations, `perDirection` of them for each of `directions`
// directions: the attribute's names when given (one set is repeated for a
// bidirectional op that lists only one), `defaults` otherwise. alpha and
// beta come from activation_alpha / activation_beta in order, one for each
// function that takes one, else the function's ONNX default. On failure
// returns false and says why in `error`.
bool readActivations(const Node& node, const std::vector<std::string>& defaults, int64_t directions,
                     std::vector<NamedActivation>& out, std::string& error);

// out[i] = f(clamp(in[i], -clip, clip)) for n floats (clip is +infinity
// when the node sets none). in and out may be the same row.
void activateRow(const NamedActivation& f, float clip, const float* in, float* out, int64_t n);

}  // namespace interstage::cpu::recurrent
