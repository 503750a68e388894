#!/usr/bin/env bash
# The desktop integration the install ships (resources/): the AppStream
# metainfo passes appstreamcli's validation offline (--strict: no warning
# either), the desktop file passes desktop-file-validate, the metainfo
# launches that desktop file, and its newest release is the project's
# version (so a version bump cannot leave the metainfo behind).
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

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo "desktop metadata: metainfo and desktop file valid, release $newest"
