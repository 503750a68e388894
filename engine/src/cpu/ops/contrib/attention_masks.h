// Reading the mask and bias inputs Attention and MultiHeadAttention share
// into an AttentionProblem (their shapes were checked by the shape rule).
#pragma once

#include "cpu/kernel.h"
#include "cpu/ops/contrib/attention_core.h"

namespace interstage::cpu::contrib {

// Fails unless the mask input (if any) is int32 and the bias input float.
Status checkMaskTypes(const PrepareContext& context, size_t maskInput, size_t biasInput);

// Points the problem at the run's mask (1-D key ends, 2-D key padding,
// 3-D query-key) and additive attention bias (broadcast over batch /
// heads), when present.
void bindMasks(const RunContext& context, size_t maskInput, size_t biasInput, AttentionProblem& p);

}  // namespace interstage::cpu::contrib
