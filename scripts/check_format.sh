#!/usr/bin/env bash
# Checks every C++ file in the tree (tracked, or new and not ignored)
# against .clang-format with Debian 12's clang-format (14): prints the
# files that differ and fails if any does.
# `bash scripts/check_format.sh --fix` rewrites them instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/packages.sh
ensure_packages clang-format
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cpp' '*.h')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f"
    bad=$((bad + 1))
  fi
done
if [ "$bad" -gt 0 ]; then
  echo "check_format: $bad of ${#files[@]} files differ from .clang-format (bash scripts/check_format.sh --fix)"
  exit 1
fi
echo "check_format: ${#files[@]} files formatted"
