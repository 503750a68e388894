// The control-flow models the tests build in code (tests/test_control_flow.cpp):
// a voice-activity detector's If, a greedy decoder's Loop, Scans. Kept
// apart from the suite, and free of Qt, so that the fuzz build's seed
// writer (fuzz/write_seeds.cpp) can save them as seeds too.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "interstage/builder.h"

namespace testmodels {

using interstage::GraphBuilder;
using interstage::TensorData;
using interstage::WeightGenerator;

// ---- the voice-activity detector's structure: an If on the sample rate;
// the 16 kHz branch holds an LSTM and a shape-only If of its own.

constexpr int64_t kHidden = 3;

struct VadWeights {
    WeightGenerator gen{7};
    TensorData conv16 = TensorData::fromFloat(gen.uniform(2 * 9, 0.5f), {2, 1, 3, 3});
    TensorData lstmW = TensorData::fromFloat(gen.uniform(4 * kHidden * 2, 0.5f), {1, 4 * kHidden, 2});
    TensorData lstmR = TensorData::fromFloat(gen.uniform(4 * kHidden * kHidden, 0.5f), {1, 4 * kHidden, kHidden});
    TensorData conv8 = TensorData::fromFloat(gen.uniform(3 * 16, 0.5f), {3, 1, 4, 4});
};

// The 16 kHz path (Conv, then an LSTM over the positions) and the 8 kHz
// path (one Conv), as branches or as plain graphs, and their weights.
void addSixteenKilohertz(GraphBuilder& g, bool shapeIf);
void addEightKilohertz(GraphBuilder& g);
void addVadWeights(GraphBuilder& g, const VadWeights& w);
// Inputs x [1,1,4,4] and sr [1]; output vad [1,1,kHidden].
GraphBuilder vadModel();

// The detector's If as the real one takes it: sr is an int64 scalar (a
// sample rate) and the output `rate` [1] is 16 when sr is 16000, else 8.
// The generated default input (0) takes the 8 kHz branch; a typed value
// (--value sr=16000, the run panel's value field) takes the other.
GraphBuilder sampleRateModel();

// ---- Loop: a greedy decoder's shape, `steps` iterations from state0
// [1,3]; outputs the last state and the tokens [steps,1].
GraphBuilder decoderModel(int64_t steps);

// ---- Scan: a running sum of xs (along axis 0, or reversed along axis 1)
// and an RNN cell as a Scan body over xs [4,1,3].
GraphBuilder runningSumModel(bool reversedAlongAxis1);
GraphBuilder scanRnnModel();

// Every model above, named: the fuzzer's seeds.
std::vector<std::pair<std::string, GraphBuilder>> controlFlowModels();

}  // namespace testmodels
