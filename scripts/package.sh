#!/usr/bin/env bash
# Builds the Debian package from the existing build (build/, as
# scripts/setup.sh leaves it) and checks it as a user meets it:
#   1. its file list is packaging/expected_files.txt, exactly, and its
#      version is packaging/changelog's newest;
#   2. lintian reports no error (warnings are printed);
#   3. apt-get installs it; from a temporary folder, with the build tree
#      out of PATH, interstage-cli --version and compare on the sample
#      (--runs 1) run, a chart is drawn by the installed renderer, the app
#      prints its version, and examples/cpp builds against /usr and runs;
#   4. apt-get purge removes it, and none of its files is left.
# Needs root (or sudo) for apt-get. The package lands in build/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
started=$SECONDS
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
[ -x build/bin/interstage-cli ] || { echo "package: no build in build/ (run bash scripts/setup.sh first)" >&2; exit 1; }
[ -f models/u2netp.onnx ] || { echo "package: no models/u2netp.onnx (run bash scripts/setup.sh first)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Everything the install takes is current (a no-op after setup.sh).
cmake --build build -j "${INTERSTAGE_JOBS:-2}" >/dev/null
rm -f build/interstage_*.deb
(cd build && cpack -G DEB >"$work/cpack.log") || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$root"/build/interstage_*.deb)
echo "package: built $(basename "$deb") ($(du -h "$deb" | cut -f1))"
dpkg-deb -f "$deb" Depends Recommends | sed 's/^/package:   /'

# 1. The file list (folders left out; a link as its own name).
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print substr($6, 2) }' | sort >"$work/files.txt"
grep -v '^#' packaging/expected_files.txt >"$work/expected.txt"
if ! diff -u "$work/expected.txt" "$work/files.txt"; then
  echo "package: the file list differs from packaging/expected_files.txt (- expected, + packaged)" >&2
  exit 1
fi
echo "package: $(wc -l <"$work/files.txt") files, as packaging/expected_files.txt lists"

# The changelog's newest entry is this version (a version bump must add one).
changelog_version=$(dpkg-parsechangelog -l packaging/changelog -S Version)
[ "$changelog_version" = "$(dpkg-deb -f "$deb" Version)" ] ||
  { echo "package: packaging/changelog's newest entry is $changelog_version, the package $(dpkg-deb -f "$deb" Version)" >&2; exit 1; }

# 2. lintian: errors fail, warnings are shown.
if ! lintian --fail-on error --tag-display-limit 0 "$deb" >"$work/lintian.txt" 2>&1; then
  cat "$work/lintian.txt"
  echo "package: lintian reports errors" >&2
  exit 1
fi
echo "package: lintian: no errors, $(grep -c '^W:' "$work/lintian.txt" || true) warnings"
grep -v "root privileges" "$work/lintian.txt" | sed 's/^/package:   /' || true

# 3. Installed, used from elsewhere with nothing of the build in reach.
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y "$deb" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log"; exit 1; }
installed_path=/usr/bin:/bin
(
  cd "$work"
  export PATH=$installed_path
  [ "$(command -v interstage-cli)" = /usr/bin/interstage-cli ] || { echo "package: interstage-cli is not /usr/bin's" >&2; exit 1; }
  interstage-cli --version
  env -u DISPLAY -u WAYLAND_DISPLAY interstage --version
  interstage-cli compare "$root/models/u2netp.onnx" --runs 1 --session u2netp.interstage
  # report and chart need the renderer the package puts in libexec.
  interstage-cli chart u2netp.interstage --chart map -o map.png
  [ -s map.png ] || { echo "package: the installed chart wrote no map.png" >&2; exit 1; }
  bash -c 'source /usr/share/bash-completion/completions/interstage-cli && complete -p interstage-cli' >/dev/null
  # The Python module from dist-packages (no PYTHONPATH): a run, its peak.
  env -u PYTHONPATH /usr/bin/python3 -c "import interstage; s = interstage.Session('$root/models/u2netp.onnx', memory_mode='reduce', threads=2); s.run(); print('python: interstage', interstage.__file__, 'peak tracked', s.stats()['peak_tracked_bytes'])"
  # The engine from C++: examples/cpp finds Interstage in /usr by itself.
  cmake -S "$root/examples/cpp" -B example >/dev/null
  cmake --build example >/dev/null
  # (/lib is /usr/lib on Debian 12, and ld.so may name either.)
  loaded=$(ldd example/peak_of_model | awk '/libinterstage/ { print $3 }')
  [ "$(readlink -f "$loaded")" = /usr/lib/libinterstage.so.0.1.0 ] ||
    { echo "package: the example loads '$loaded', not /usr/lib's libinterstage" >&2; exit 1; }
  example/peak_of_model "$root/models/u2netp.onnx" reduce
) || { echo "package: the installed package failed (above)" >&2; $sudo_cmd apt-get purge -y interstage >/dev/null; exit 1; }

# 4. Purged: the package is gone and so is every file it brought.
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get purge -y interstage >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log"; exit 1; }
# dpkg forgets a purged package; any status left but not-installed is a leftover.
status=$(dpkg-query -W -f='${Status}' interstage 2>/dev/null || true)
if [ -n "$status" ] && [[ "$status" != *not-installed ]]; then
  echo "package: interstage is still installed after apt-get purge" >&2
  exit 1
fi
left=$(while read -r file; do if [ -e "$file" ] || [ -L "$file" ]; then echo "$file"; fi; done <"$work/files.txt")
[ -z "$left" ] || { echo "package: left after purge: $left" >&2; exit 1; }
echo "package: installed, used, purged cleanly in $((SECONDS - started)) s"
