#!/usr/bin/env bash
# The engine as another project meets it: `cmake --install` into a fresh
# prefix, then every public header compiles on its own against that tree
# and pulls in no ONNX, protobuf, oneDNN, Vulkan or Qt header; and
# examples/cpp, configured with find_package(Interstage CONFIG) against
# that prefix, builds, runs a zoo model and reports the lower bound that
# interstage-cli info reports.
#   test_installed_engine.sh BUILD_DIR SOURCE_DIR CXX
set -euo pipefail
build=${1:?usage: test_installed_engine.sh BUILD_DIR SOURCE_DIR CXX}
source_dir=${2:?usage: test_installed_engine.sh BUILD_DIR SOURCE_DIR CXX}
cxx=${3:?usage: test_installed_engine.sh BUILD_DIR SOURCE_DIR CXX}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null

headers=$(cd "$prefix/include" && ls interstage/*.h)
[ "$(wc -w <<<"$headers")" -eq "$(find "$source_dir/engine/include/interstage" -name '*.h' | wc -l)" ] ||
  { echo "FAIL: the install has $(wc -w <<<"$headers") headers, engine/include has others"; exit 1; }
# One compiler per header, two at a time; -H lists every header it reads,
# and none may come from a dependency.
check_header() {
  local header=$1 log
  log=$prefix/$(basename "$header").log
  if ! "$cxx" -std=c++20 -fsyntax-only -H -I "$prefix/include" -x c++ - <<<"#include <$header>" 2>"$log"; then
    echo "$header does not compile on its own: $(grep -m1 error "$log")"
    return
  fi
  local foreign
  foreign=$(grep -E "onnx|dnnl|protobuf|vulkan|/Qt|qt6" "$log" | grep -v "^[.]* $prefix/include/" | head -1)
  [ -z "$foreign" ] || echo "$header includes $foreign"
}
export -f check_header
export cxx prefix
# shellcheck disable=SC2016 # $0 is xargs' argument, expanded by the inner bash
failed=$(xargs -P 2 -n 1 bash -c 'check_header "$0"' <<<"$headers")
[ -z "$failed" ] || { echo "FAIL: $failed"; exit 1; }
echo "$(wc -w <<<"$headers") public headers compile on their own, with no dependency's headers"

cmake -S "$source_dir/examples/cpp" -B "$work/example" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
cmake --build "$work/example" >/dev/null
cli=$build/bin/interstage-cli
"$cli" zoo resnet -o "$work/resnet.onnx" >/dev/null
"$cli" info "$work/resnet.onnx" --json "$work/info.json" >/dev/null
expected=$(grep -o '"lower_bound_bytes": *[0-9]*' "$work/info.json" | grep -o '[0-9]*$')
output=$("$work/example/peak_of_model" "$work/resnet.onnx" arena)
echo "$output"
grep -qx "lower bound $expected bytes" <<<"$output" ||
  { echo "FAIL: the example's lower bound is not interstage-cli info's ($expected bytes)"; exit 1; }
grep -q "^peak activations [1-9]" <<<"$output" || { echo "FAIL: the example reports no peak"; exit 1; }
# ldd's whole output first: `ldd | grep -q` under pipefail fails at random
# when grep exits on its match before ldd has written the rest (SIGPIPE).
libraries=$(ldd "$work/example/peak_of_model")
grep -q "libinterstage.so.* => $prefix/" <<<"$libraries" ||
  { echo "FAIL: the example does not load the installed libinterstage.so:"; echo "$libraries"; exit 1; }
echo "examples/cpp built against the installed engine and ran"
