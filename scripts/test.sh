#!/usr/bin/env bash
# Sets up (installs, fetches models, builds) and runs every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cd build
ctest --output-on-failure -j 2 "$@"
