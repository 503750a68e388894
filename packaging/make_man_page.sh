#!/usr/bin/env bash
# Writes PROGRAM's man page from its --version and --help, compressed as
# Debian wants (gzip -9n), so that the page cannot drift from the program:
#   make_man_page.sh PROGRAM NAME "WHAT IT DOES" OUTPUT.1.gz
# The help is kept as the program prints it (no-fill): help2man re-flows
# interstage-cli's hand-aligned help into unreadable paragraphs.
set -euo pipefail
program=${1:?usage: make_man_page.sh PROGRAM NAME SUMMARY OUTPUT.1.gz}
name=${2:?usage: make_man_page.sh PROGRAM NAME SUMMARY OUTPUT.1.gz}
summary=${3:?usage: make_man_page.sh PROGRAM NAME SUMMARY OUTPUT.1.gz}
out=${4:?usage: make_man_page.sh PROGRAM NAME SUMMARY OUTPUT.1.gz}

# Run as NAME, so that a usage line built from argv[0] (Qt's) names the
# command, not the build folder.
version=$(exec -a "$name" "$program" --version | head -1)
help=$(exec -a "$name" "$program" --help)
if [ -z "$version" ] || [ -z "$help" ]; then
  echo "make_man_page.sh: '$program' printed no version or help" >&2
  exit 1
fi

# Text as roff shows it literally: backslashes escaped, options' hyphens
# as minus signs (what a user types), no line read as a request.
roff_text() {
  sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
}

{
  echo ".TH $(tr '[:lower:]' '[:upper:]' <<<"$name") 1 \"\" \"$(roff_text <<<"$version")\" \"User Commands\""
  echo ".SH NAME"
  echo "$(roff_text <<<"$name") \\- $(roff_text <<<"$summary")"
  echo ".SH SYNOPSIS"
  echo ".nf"
  roff_text <<<"$help"
  echo ".fi"
  echo ".SH VERSION"
  roff_text <<<"$version"
} | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
