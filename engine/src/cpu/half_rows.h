// float16 / bfloat16 rows to and from float32, for kernels that compute a
// half-precision tensor in float one tile at a time (a conv's band of rows,
// a matmul's block of rows): only the tile is ever widened, so the
// workspace stays small and the tensors keep their half size.
#pragma once

#include <cstdint>

#include "interstage/graph.h"

namespace interstage::cpu {

// float16 or bfloat16: the types the widening kernels take.
inline bool isHalfType(DataType type) { return type == DataType::Float16 || type == DataType::BFloat16; }

// n elements of `from` (float16 or bfloat16) to float, exactly.
void widenRow(DataType from, const void* src, float* dst, int64_t n);
// n floats to `to` (float16 or bfloat16), rounding to nearest even.
void narrowRow(DataType to, const float* src, void* dst, int64_t n);

// A whole constant (weights, bias) widened to float32, for packing at prepare.
TensorData widenedCopy(const TensorData& data);

}  // namespace interstage::cpu
