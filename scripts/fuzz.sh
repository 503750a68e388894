#!/usr/bin/env bash
# Builds the libFuzzer target (clang, ASan + UBSan) and fuzzes the loader,
# shape resolution, the graph passes and the planners for N seconds
# (default 60). Seeds: every model of the ONNX backend test data and the
# hostile corpus under tests/hostile. New inputs go to build-fuzz/corpus;
# a crash leaves its input in build-fuzz/ and fails the script.
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
hostile=()
[ -d "$root/tests/hostile" ] && hostile=("$root/tests/hostile")
mkdir -p "$root/build-fuzz/corpus"

cd "$root/build-fuzz"
./bin/fuzz_load_plan -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  corpus "$seeds" "${hostile[@]}"
