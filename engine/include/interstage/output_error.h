// How far a run's output is from a reference run's: the figure `compare
// --gpu-fp16` reports for each fp16 storage row against the float32 row.
#pragma once

#include "interstage/status.h"
#include "interstage/tensor.h"

namespace interstage {

// The largest elementwise difference relative to the reference's largest
// magnitude, max|x - r| / max|r| (finite elements), so that elements near
// zero do not blow it up; where the reference is all zeros, max|x - r|.
// NaN in both at an element counts as equal, NaN in one as infinite.
// InvalidArgument when the dtypes or shapes differ.
Result<double> maxRelativeError(const TensorData& reference, const TensorData& other);

}  // namespace interstage
