#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer + UndefinedBehaviorSanitizer
# (GCC, build-asan/) and runs every test suite under them. Any report fails
# the run: UBSan aborts on the first finding, ASan on the first error, and
# LeakSanitizer at exit (leaks inside system libraries are suppressed in
# tests/sanitizers/lsan.supp, each with its reason).
# Run scripts/setup.sh first (packages and models).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${INTERSTAGE_JOBS:-2}

# -O1: the usual optimisation for sanitizer builds; about half the compile
# time of -O3 on two cores, and the suites still run in minutes.
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"
# Qt Test aborts a test function after 5 minutes; under ASan a Vulkan
# suite's function (every mode of U^2-Net-P on lavapipe with validation)
# can pass that on a busy machine. CTest's per-suite limit (15 minutes)
# still bounds every suite.
export QTEST_FUNCTION_TIMEOUT=900000
cd "$root/build-asan"
ctest --output-on-failure -j "$jobs" "$@"
