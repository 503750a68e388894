#!/usr/bin/env bash
# Writes the bash completion of interstage-cli from its --help, so that the
# completion cannot drift from the commands and options the CLI documents:
#   make_bash_completion.sh path/to/interstage-cli > interstage-cli
# Read from the help: each command (a line "  NAME ..." in the commands
# list) with the --options and -o of its synopsis (its first line and the
# lines below that start with "[" or "-", not the prose that explains it;
# "[run's options]" adds run's), and the values of an option written
# "--opt a|b|c". Everything else completes file names (models, sessions,
# outputs).
set -euo pipefail
cli=${1:?usage: make_bash_completion.sh INTERSTAGE_CLI [OUTPUT]}
out=${2:-}
help=$("$cli" --help)

# One line per command: "NAME<TAB>OPTIONS"; then one per option with values:
# "@NAME<TAB>OPTION<TAB>VALUES". awk does the reading; bash writes the file.
table=$(awk '
  /^commands:/ { in_commands = 1; next }
  in_commands && /^$/ { exit }
  in_commands && /^  [a-z]/ { command = $1; order[++n] = command }
  in_commands && command != "" && /^(  [a-z]|      *[-[])/ {
    line = $0
    if (line ~ /run.s options/) inherits[command] = 1
    # An option starts the line or follows a space, "[" or "|".
    while (match(line, /[ [|](--[a-z][a-z0-9-]*|-o)( [a-z][a-z0-9+-]*(\|[a-z][a-z0-9+-]*)+)?/)) {
      token = substr(line, RSTART + 1, RLENGTH - 1)
      line = substr(line, RSTART + RLENGTH)
      split(token, parts, " ")
      if (!((command, parts[1]) in seen)) { seen[command, parts[1]] = 1; options[command] = options[command] " " parts[1] }
      if (parts[2] != "") { gsub(/\|/, " ", parts[2]); values[command, parts[1]] = parts[2] }
    }
  }
  END {
    for (i = 1; i <= n; ++i) {
      c = order[i]
      if (inherits[c] && c != "run") {
        count = split(options["run"], extra, " ")
        for (j = 1; j <= count; ++j) if (!((c, extra[j]) in seen)) { seen[c, extra[j]] = 1; options[c] = options[c] " " extra[j] }
      }
      printf "%s\t%s\n", c, substr(options[c], 2)
    }
    for (key in values) {
      split(key, k, SUBSEP)
      printf "@%s\t%s\t%s\n", k[1], k[2], values[key]
    }
    for (i = 1; i <= n; ++i) if (inherits[order[i]] && order[i] != "run")
      for (key in values) { split(key, k, SUBSEP); if (k[1] == "run" && !((order[i], k[2]) in values))
        printf "@%s\t%s\t%s\n", order[i], k[2], values[key] }
  }' <<<"$help")

commands=$(grep -v '^@' <<<"$table" | cut -f1 | tr '\n' ' ')
[ -n "$commands" ] || { echo "make_bash_completion.sh: no commands found in '$cli --help'" >&2; exit 1; }

generate() {

cat <<HEADER
# bash completion for interstage-cli, generated from its --help by
# packaging/make_bash_completion.sh; do not edit.
_interstage_cli() {
    local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD - 1]}
    if [ "\$COMP_CWORD" -eq 1 ]; then
        mapfile -t COMPREPLY < <(compgen -W "${commands}--help --version" -- "\$cur")
        return
    fi
    local values="" options=""
    case "\${COMP_WORDS[1]} \$prev" in
HEADER
grep '^@' <<<"$table" | sort | while IFS=$'\t' read -r command option list; do
  printf '        "%s %s") values="%s" ;;\n' "${command#@}" "$option" "$list"
done
cat <<MIDDLE
    esac
    if [ -n "\$values" ]; then
        mapfile -t COMPREPLY < <(compgen -W "\$values" -- "\$cur")
        return
    fi
    case "\${COMP_WORDS[1]}" in
MIDDLE
grep -v '^@' <<<"$table" | while IFS=$'\t' read -r command list; do
  printf '        %s) options="%s" ;;\n' "$command" "$list"
done
cat <<FOOTER
    esac
    if [[ "\$cur" == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "\$options" -- "\$cur")
        return
    fi
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "\$cur")
}
complete -F _interstage_cli interstage-cli
FOOTER
}

# A failed run leaves no half-written file for the build to take as done.
if [ -n "$out" ]; then
  generate >"$out.tmp"
  mv "$out.tmp" "$out"
else
  generate
fi
