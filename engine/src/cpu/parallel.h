// When a CPU loop is worth a team of threads.
#pragma once

#include <cstdint>

namespace interstage::cpu {

// Loops over less work than this (output elements times the multiply-adds
// or reads each one takes) run on the calling thread: below it, waking
// the OpenMP team costs more than the loop. Used in `#pragma omp parallel
// for ... if (work > kParallelWork)`.
constexpr int64_t kParallelWork = 65536;

}  // namespace interstage::cpu
