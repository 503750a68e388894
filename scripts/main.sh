#!/usr/bin/env bash
# Sets up and runs the main job on the built-in U^2-Net-P sample.
# With a display and the app built, the app opens on it; otherwise the CLI
# reports on it (memory figures and the lower bound).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -n "${DISPLAY:-}" ] && [ -x build/bin/interstage ]; then
  exec build/bin/interstage models/u2netp.onnx
fi
exec build/bin/interstage-cli info models/u2netp.onnx
