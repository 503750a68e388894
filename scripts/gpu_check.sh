#!/usr/bin/env bash
# The prepared check for a real GPU (#19), in two halves, because the GPU
# machine the library's `device` tool lends is bare and reaches nothing
# outside itself:
#
#   here:   bash scripts/gpu_check.sh pack
#           bundles this build's CLI and Vulkan test suites, every shared
#           library they load (from this Debian 12 machine), the Vulkan
#           loader, and U^2-Net-P and PP-OCRv4 det into gpu-check/ (git-
#           ignored), compressed to fit the tool's 64 MiB working tree.
#   there:  device run, carry ["gpu-check"], command
#           bash scripts/gpu_check.sh run gpu-check "$OUT"
#           unpacks it, lists the devices, runs `compare` (every memory
#           preset, float32 and fp16 storage) on both models on the first
#           Vulkan device that is not a CPU (GPU_CHECK_DEVICE=vulkan:N to
#           name one) and on that machine's CPU backend, and the Vulkan
#           suites, each into its own file (compare's JSON too), packed as
#           $OUT/gpu_check.tar.gz (the tool brings back at most 8 files).
#
# Nothing is built there: the binaries are this machine's, run with the
# bundled libraries first on the library path (that machine's glibc is
# the same or newer). Its NVIDIA driver is found through its own ICD file
# or the device tool's documented one.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

pack() {
  local dir=$root/gpu-check binaries=(interstage-cli test_vulkan_ops test_vulkan_models test_vulkan_session)
  rm -rf "$dir" && mkdir -p "$dir/stage/bin" "$dir/stage/lib" "$dir/stage/models"
  for b in "${binaries[@]}"; do
    [[ -x build/bin/$b ]] || { echo "gpu_check: build/bin/$b missing: run scripts/setup.sh first" >&2; exit 1; }
    cp "build/bin/$b" "$dir/stage/bin/"
  done
  # Every library the binaries load but the C runtime itself (that machine
  # keeps its own glibc and loader).
  for b in "${binaries[@]}"; do ldd "build/bin/$b"; done | awk '$3 ~ /^\// {print $3}' | sort -u |
    grep -Ev '/(libc|libm|libpthread|libdl|librt|ld-linux-x86-64)\.so' |
    while read -r lib; do cp -L "$lib" "$dir/stage/lib/"; done
  cp models/u2netp.onnx models/ocr/ch_PP-OCRv4_det_infer.onnx "$dir/stage/models/"
  # The suites read tests/data and models/ under the source folder they
  # were built in (INTERSTAGE_SOURCE_DIR): that folder is made there too.
  echo "$root" > "$dir/stage/source_dir.txt"
  tar -C "$dir/stage" -cJf "$dir/bundle.tar.xz" .
  rm -rf "$dir/stage"
  echo "gpu_check: $(du -h "$dir/bundle.tar.xz" | cut -f1) in gpu-check/bundle.tar.xz; carry \"gpu-check\""
}

run_there() {
  local bundle=$1 dest=$2 work=/tmp/interstage-gpu-check
  local out=$work/results
  rm -rf "$out" && mkdir -p "$dest" "$out"
  # shellcheck disable=SC2064  # the folders are fixed now
  trap "tar -C '$out' -czf '$dest/gpu_check.tar.gz' ." RETURN
  tar -C "$work" -xJf "$bundle/bundle.tar.xz"
  export LD_LIBRARY_PATH=$work/lib
  # The NVIDIA driver alone where it is installed, so that device 0 (the
  # suites' "vulkan") is the GPU even beside a software rasterizer.
  local icd
  for icd in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
    /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; do
    if [[ -f $icd ]]; then
      export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd
      break
    fi
  done
  local cli=$work/bin/interstage-cli
  { nvidia-smi || echo "no nvidia-smi"; } > "$out/nvidia_smi.txt" 2>&1
  "$cli" devices > "$out/devices.txt" 2>&1 || true
  cat "$out/devices.txt"
  local gpu
  gpu=$(grep 'vulkan:' "$out/devices.txt" | grep -v '(cpu,' | grep -o 'vulkan:[0-9]*' | head -1 || true)
  gpu=${GPU_CHECK_DEVICE:-$gpu}
  if [[ -z $gpu ]]; then
    echo "gpu_check: no Vulkan device (devices.txt, nvidia_smi.txt say why)"
    return 1
  fi
  local spec
  for spec in "u2netp.onnx|input=1x3x320x320" "ch_PP-OCRv4_det_infer.onnx|x=1x3x640x640"; do
    local file=${spec%%|*} input=${spec#*|}
    local name=${file%.onnx}
    timeout 240 "$cli" compare "$work/models/$file" --input "$input" --backend "$gpu" --runs "${GPU_CHECK_RUNS:-11}" \
      --gpu-fp16 --json "$out/${name}_gpu.json" > "$out/${name}_gpu.txt" 2>&1 || echo "exit $?" >> "$out/${name}_gpu.txt"
    timeout 120 "$cli" compare "$work/models/$file" --input "$input" --backend cpu --runs "${GPU_CHECK_RUNS:-11}" \
      --json "$out/${name}_cpu.json" > "$out/${name}_cpu.txt" 2>&1 || echo "exit $?" >> "$out/${name}_cpu.txt"
    cat "$out/${name}_gpu.txt" "$out/${name}_cpu.txt"
  done
  # The suites take the first Vulkan device ("vulkan") and read the models
  # and tests/data under the folder they were built in: this working tree,
  # linked there when that folder is not here.
  local built
  built=$(cat "$work/source_dir.txt")
  if [[ ! -e $built ]]; then mkdir -p "$(dirname "$built")" && ln -s "$root" "$built"; fi
  mkdir -p "$built/models/ocr"
  cp -n "$work/models/u2netp.onnx" "$built/models/" 2>/dev/null || true
  cp -n "$work/models/ch_PP-OCRv4_det_infer.onnx" "$built/models/ocr/" 2>/dev/null || true
  local t
  for t in test_vulkan_ops test_vulkan_session test_vulkan_models; do
    (cd "$built" && timeout 300 "$work/bin/$t") > "$out/$t.txt" 2>&1 || echo "exit $?" >> "$out/$t.txt"
    tail -3 "$out/$t.txt"
  done
}

case "${1:-}" in
  pack) pack ;;
  run) run_there "${2:?bundle folder}" "${3:?output folder}" ;;
  *)
    echo "usage: bash scripts/gpu_check.sh pack | run BUNDLE_DIR OUT_DIR" >&2
    exit 2
    ;;
esac
