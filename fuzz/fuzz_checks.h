// What the fuzzer (fuzz/fuzz_load_plan.cpp) does with one input: load ->
// shapes -> passes -> memory-aware order -> lifetimes -> every memory
// planner, then the plans of the control-flow bodies (fuzz/nested_plans.h),
// and the inspection path (weights optional, shapes keep going). Any error
// Status is a correct answer to bad input; a broken invariant is a
// finding. The regression suite (tests/test_fuzz_regressions.cpp) runs its
// inputs through the same function.
#pragma once

#include <string>

namespace interstage::fuzzing {

struct Finding {
    std::string broken;     // the first invariant broken; empty: none
    int bodiesPlanned = 0;  // control-flow bodies resolved and checked
};

Finding checkModelBytes(const std::string& bytes);

}  // namespace interstage::fuzzing
