# shellcheck shell=bash
# lib.sh — shared by test_help.sh and test_man.sh (sourced).
# fail MESSAGE: count a failure; commands_of PROGRAM: the names its --help lists.
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# The command names PROGRAM --help lists: the lines after "commands:" that
# are "  NAME  SUMMARY" (two spaces, a name, spaces, a summary).
commands_of() {
  "$1" --help | awk '/^commands:/ { on = 1; next }
    on && /^  [a-z][a-z-]* +[^ ]/ { print $1; next }
    on { exit }'
}
