// The part NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss share: the
// checks of the (input, target, weight) triple and the loss itself, computed
// from log-probabilities laid out as N x C x D (D = product of d1..dk).
#pragma once

#include <cstdint>
#include <string>

#include "cpu/kernel.h"

namespace interstage::cpu::nn {

enum class LossReduction { None, Sum, Mean };

struct LossSetup {
    DataType dtype = DataType::Undefined;  // of the scores, the weights and the loss
    int64_t batch = 0, classes = 0, spatial = 1;
    int64_t ignoreIndex = 0;
    bool ignores = false;  // ignore_index is given
    bool weighted = false;
    LossReduction reduction = LossReduction::Mean;
};

// Reads the attributes and checks inputs 0 (N x C x d1..dk scores), 1
// (N x d1..dk int32 / int64 targets) and the optional 2 (C weights).
Status prepareLoss(const PrepareContext& context, LossSetup& setup);

// loss (N x d1..dk for reduction none, else a scalar) from logProb. Fails
// with a message naming the offending target when one is outside [0, C)
// and is not ignore_index.
Status computeNllLoss(const LossSetup& setup, const void* logProb, const TensorView& target, const void* weight,
                      void* loss);

}  // namespace interstage::cpu::nn
