#!/usr/bin/env bash
# Sets up and runs the main job on the built-in U^2-Net-P sample: with a
# display, the app opens on it; without one, the CLI compares every memory
# mode on it and prints the table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -n "${DISPLAY:-}" ] && [ -x build/bin/interstage ]; then
  exec build/bin/interstage models/u2netp.onnx
fi
exec build/bin/interstage-cli compare models/u2netp.onnx --threads 2
