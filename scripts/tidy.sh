#!/usr/bin/env bash
# clang-tidy (checks in .clang-tidy: bugprone, performance, functions of at
# most 100 lines) over the engine and the CLI, with the compile commands of
# a configured build/ (scripts/setup.sh makes it). Any finding fails.
#   bash scripts/tidy.sh               every engine and CLI source (about 10 minutes on 2 cores)
#   bash scripts/tidy.sh --since REV   only those changed since REV (what CI runs)
# INTERSTAGE_TIDY_BUILD=DIR reads the compile commands of another build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/packages.sh
ensure_packages clang-tidy
jobs=${INTERSTAGE_JOBS:-2}
[ -f build/compile_commands.json ] || { echo "tidy: configure build/ first (scripts/setup.sh)"; exit 1; }
if [ "${1:-}" = "--since" ]; then
  mapfile -t files < <(git diff --name-only --diff-filter=AM "$2" -- 'engine/src/*.cpp' 'engine/cli/*.cpp')
else
  mapfile -t files < <(git ls-files 'engine/src/*.cpp' 'engine/cli/*.cpp')
fi
if [ "${#files[@]}" -eq 0 ]; then
  echo "tidy: no engine sources to check"
  exit 0
fi
log=$(mktemp)
status=0
# The build is GCC's: clang does not know some of its warning flags
# (-Wno-restrict), which -Werror (CI) would turn into errors.
printf '%s\n' "${files[@]}" |
  xargs -P "$jobs" -n 4 clang-tidy -p "${INTERSTAGE_TIDY_BUILD:-build}" --quiet --extra-arg=-Wno-unknown-warning-option >"$log" 2>/dev/null ||
  status=$?
grep -E "(warning|error):" "$log" | sort -u || true
rm -f "$log"
if [ "$status" -ne 0 ]; then
  echo "tidy: findings in ${#files[@]} files checked"
  exit 1
fi
echo "tidy: ${#files[@]} files clean"
