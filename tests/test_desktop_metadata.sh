#!/usr/bin/env bash
# The desktop integration the install ships (resources/): the AppStream
# metainfo passes appstreamcli's validation offline (--strict: no warning
# either), the desktop file passes desktop-file-validate, the metainfo
# launches that desktop file, its newest release is the project's version
# (so a version bump cannot leave the metainfo behind), and the MIME types
# the desktop file opens are defined (resources/*.mime.xml adds two).
#   test_desktop_metadata.sh SOURCE_DIR PROJECT_VERSION
set -uo pipefail
source_dir=${1:?usage: test_desktop_metadata.sh SOURCE_DIR PROJECT_VERSION}
version=${2:?usage: test_desktop_metadata.sh SOURCE_DIR PROJECT_VERSION}
id=org.interstage.Interstage
metainfo=$source_dir/resources/$id.metainfo.xml
desktop=$source_dir/resources/$id.desktop
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

appstreamcli validate --no-net --strict "$metainfo" || fail "appstreamcli rejects $metainfo"
desktop-file-validate "$desktop" || fail "desktop-file-validate rejects $desktop"
grep -qF "<launchable type=\"desktop-id\">$id.desktop</launchable>" "$metainfo" ||
  fail "$metainfo does not launch $id.desktop"
newest=$(grep -o '<release version="[^"]*"' "$metainfo" | head -1 | cut -d'"' -f2)
[ "$newest" = "$version" ] || fail "the metainfo's newest release is '$newest', the project is $version"
icon=$(sed -n 's/^Icon=//p' "$desktop")
[ -f "$source_dir/resources/$icon.svg" ] || fail "the desktop file's Icon=$icon has no resources/$icon.svg"

# Every type the desktop file opens is one shared-mime-info knows, with
# the types resources/ adds (update-mime-database reads them as a system does).
mime=$(mktemp -d)
trap 'rm -rf "$mime"' EXIT
mkdir -p "$mime/packages"
cp /usr/share/mime/packages/freedesktop.org.xml "$source_dir/resources/$id.mime.xml" "$mime/packages/"
update-mime-database "$mime" 2>/dev/null || fail "update-mime-database rejects resources/$id.mime.xml"
for type in $(sed -n 's/^MimeType=//p' "$desktop" | tr ';' ' '); do
  grep -qx "$type" "$mime/types" || fail "the desktop file opens $type, which no MIME package defines"
done
grep -q "^50:application/x-onnx:\*\.onnx$" "$mime/globs2" || fail "*.onnx is not application/x-onnx"

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo "desktop metadata: metainfo and desktop file valid, release $newest"
