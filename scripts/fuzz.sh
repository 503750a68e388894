#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and fuzzes, for N
# seconds in all (default 60): three quarters to the loader, shape
# resolution, the graph passes and the planners, the plans of control-flow
# bodies included (fuzz_load_plan); one quarter to saved session files
# (fuzz_session_file, seeded with tests/hostile/sessions). Seeds: every
# model of the ONNX backend test data (test_if*, test_loop*, test_scan*,
# test_lstm*, test_gru*, test_rnn* among them), the models the control-flow
# and recurrent suites build in code (written by build-fuzz/bin/write_seeds
# into build-fuzz/seeds-suites) and the hostile corpus under tests/hostile.
# New inputs go to build-fuzz/corpus (sessions: build-fuzz/corpus-sessions);
# a crash or a broken invariant leaves
# its input in build-fuzz/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-60}
jobs=${INTERSTAGE_JOBS:-2}
source "$root/scripts/lib/packages.sh"
# clang with libFuzzer and the sanitizer runtimes; libomp for -fopenmp.
ensure_packages clang libclang-rt-dev libomp-dev

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"

seeds="$root/build-fuzz/seeds"
if [ ! -d "$seeds" ]; then
  mkdir -p "$seeds.tmp"
  testdata=/usr/share/libonnx-testdata/data
  find "$testdata" -name model.onnx | while read -r model; do
    cp "$model" "$seeds.tmp/$(echo "${model#"$testdata"/}" | tr '/' '_')"
  done
  mv "$seeds.tmp" "$seeds"
fi
# The bodies and recurrent nodes the fuzzer must start from: a test data
# layout that lost them would quietly fuzz without.
for op in if loop scan lstm gru rnn; do
  if ! compgen -G "$seeds/node_test_${op}*" >/dev/null; then
    echo "fuzz.sh: no test_${op}* model among the seeds in $seeds" >&2
    exit 1
  fi
done
# Written every run (a second at most): they follow the suites' models.
suites="$root/build-fuzz/seeds-suites"
rm -rf "$suites"
mkdir -p "$suites"
./build-fuzz/bin/write_seeds "$suites"
hostile=()
[ -d "$root/tests/hostile" ] && hostile=("$root/tests/hostile")
mkdir -p "$root/build-fuzz/corpus"

mkdir -p "$root/build-fuzz/corpus-sessions"
# The time given, split 3:1 between the model loader and the session files
# (each at least a second).
session_seconds=$((seconds / 4))
[ "$session_seconds" -lt 1 ] && session_seconds=1
model_seconds=$((seconds - session_seconds))
[ "$model_seconds" -lt 1 ] && model_seconds=1

cd "$root/build-fuzz"
./bin/fuzz_load_plan -max_total_time="$model_seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  corpus "$seeds" "$suites" "${hostile[@]}"
./bin/fuzz_session_file -max_total_time="$session_seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  corpus-sessions "$root/tests/hostile/sessions"
