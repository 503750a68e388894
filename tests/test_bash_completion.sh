#!/usr/bin/env bash
# The generated bash completion (packaging/make_bash_completion.sh) against
# the CLI it completes: every command it offers is one the CLI runs, every
# option it offers for a command is one that command accepts, and a few
# completions a user types give what the help documents.
#   test_bash_completion.sh INTERSTAGE_CLI COMPLETION_FILE
set -uo pipefail
cli=${1:?usage: test_bash_completion.sh INTERSTAGE_CLI COMPLETION_FILE}
completion=${2:?usage: test_bash_completion.sh INTERSTAGE_CLI COMPLETION_FILE}
# shellcheck source=/dev/null
source "$completion"
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# complete WORD...: what completing the last word offers, one line each.
complete_words() {
  COMP_WORDS=(interstage-cli "$@")
  COMP_CWORD=$#
  COMPREPLY=()
  _interstage_cli
  printf '%s\n' "${COMPREPLY[@]}"
}
expect() {  # expect "WORDS" "WANTED..." : each wanted word is offered
  local words=() got
  read -ra words <<<"$1"
  # "run --mode " completes an empty last word.
  [[ -z "$1" || "$1" == *" " ]] && words+=("")
  shift
  got=$(complete_words "${words[@]}")
  for wanted in "$@"; do
    grep -qxF -- "$wanted" <<<"$got" || fail "'interstage-cli ${words[*]}' does not offer '$wanted' (offers: $(tr '\n' ' ' <<<"$got"))"
  done
}

# accepts COMMAND OPTION: the option (given a value, in case it takes one)
# on a model that does not exist; any error but "unknown option" means the
# command read it.
accepts() {
  local err
  err=$(timeout 60 "$1" "$2" /nonexistent/model.onnx "$3" 1 2>&1 >/dev/null)
  grep -q "unknown option '$3'" <<<"$err" && fail "'$2' rejects the offered '$3': $err"
}

commands=$(complete_words "")
[ "$(wc -l <<<"$commands")" -ge 10 ] || fail "only $(wc -l <<<"$commands") commands offered: $(tr '\n' ' ' <<<"$commands")"
# Every process costs a fraction of a second, so run's options (which most
# commands take too) are tried on run, and on the others the first and
# the last of them, which shows that the command takes run's options.
run_options=$(complete_words run -)
for option in $run_options; do accepts "$cli" run "$option"; done
for command in $commands; do
  [[ "$command" == --* || "$command" == run ]] && continue
  # An unknown command is a usage error naming it; a known one fails on
  # the missing model (or runs, for devices and zoo --list) instead.
  err=$(timeout 60 "$cli" "$command" /nonexistent/model.onnx 2>&1 >/dev/null)
  grep -q "unknown command" <<<"$err" && fail "completion offers '$command', the CLI says: $err"
  options=$(complete_words "$command" -)
  own=$(grep -vxF -f <(echo "$run_options") <<<"$options")
  shared=$(grep -xF -f <(echo "$run_options") <<<"$options" | sed -n '1p;$p')
  for option in $own $shared; do accepts "$cli" "$command" "$option"; done
done

expect "" run compare report chart --version
expect "r" run report
expect "run --mo" --mode
expect "run --mode r" reduce reuse reduce+reuse
expect "compare --kee" --keep
expect "fit --" --sweep --budget --range
expect "chart --chart " timeline map timings
expect "report --style " light print
expect "zoo --l" --list

# Values complete only after their option; elsewhere words are file names.
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
touch "$dir/model.onnx"
expect "run $dir/mod" "$dir/model.onnx"

# Against the help itself: every --option in run's synopsis is offered.
for option in $("$cli" --help | sed -n '/^  run /,/^  compare /{/^  compare /!p}' | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
  expect "run --" "$option"
done

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo "bash completion: every offered command and option accepted by $cli"
