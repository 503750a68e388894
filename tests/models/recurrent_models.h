// The LSTM, GRU and RNN cases the recurrent suite checks against its
// reference (tests/test_recurrent_ops.cpp): each case's inputs and its
// one-node model. Kept apart from the suite, and free of Qt, so that the
// fuzz build's seed writer (fuzz/write_seeds.cpp) can save them as seeds.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "interstage/builder.h"

namespace testmodels {

struct RecurrentCase {
    std::string op = "LSTM";
    int64_t seq = 5, batch = 3, input = 7, hidden = 13;
    std::string direction = "forward";
    int64_t layout = 0;
    bool bias = true;
    std::vector<int32_t> lengths;  // empty: no sequence_lens
    bool initialState = false;
    bool peephole = false;
    float clip = 0;  // 0: attribute absent
    std::vector<std::string> activations;
    std::vector<float> alphas, betas;
    bool linearBeforeReset = false;
    bool inputForget = false;
    bool weightsAsInitializers = false;
};

int64_t gatesOf(const std::string& op);
int64_t directionsOf(const RecurrentCase& c);

// Inputs by name, in ONNX order; absent optional ones are missing.
using Tensors = std::map<std::string, interstage::TensorData>;

// Deterministic values in [-0.6, 0.6].
interstage::TensorData randomTensor(const interstage::Shape& shape, uint64_t seed);
interstage::Shape stateShape(const RecurrentCase& c);
Tensors makeInputs(const RecurrentCase& c);
// One node "cell" (outputs cell_out0..2); weights are graph inputs, or
// initializers with c.weightsAsInitializers.
interstage::GraphBuilder makeGraph(const RecurrentCase& c, const Tensors& inputs);

// Named cases: the directions, layouts, lengths, states, peepholes, clip
// and activations the ONNX backend data leaves out.
std::vector<std::pair<std::string, RecurrentCase>> recurrentCases();

}  // namespace testmodels
