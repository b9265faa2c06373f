#!/bin/sh
# Line coverage of a C or C++ program built with --coverage (see src/languages/c-family/gcov.ts).
#
#   /opt/verdict/cover-gcov.sh PROGRAM [ARG...]
#
# Runs PROGRAM with stdin, stdout and stderr untouched and without the marker variable,
# its .gcda files sent to a fresh directory under /tmp (the program directory is read-only
# during tests, and /tmp is wiped after every run). Once it has ended through exit() or a
# return from main (the only ways libgcov writes .gcda files), gcov reads them beside the
# .gcno files the compiler left in the program directory, and this prints
# "\n<marker>\n[<gcov JSON document>,...]\n" to stdout. Then it ends as the program ended:
# with its exit status, or killed by the same signal.
#
# In the base image, so the c and cpp images carry one and the same copy; it needs gcov,
# which only they install.

marker=${VERDICT_COVERAGE_MARKER-}
unset VERDICT_COVERAGE_MARKER

# A signal the program sends its whole process group (kill(0, sig)) must not end the
# wrapper while the program lives on: caught here, and reset to the default for the
# program when it is executed.
trap : HUP INT QUIT PIPE ALRM TERM USR1 USR2

dir=/tmp/verdict-gcov.$$
mkdir -m 700 "$dir" 2>/dev/null
# The shell's own stderr goes nowhere: it would report a program killed by a signal
# there ("Segmentation fault"). The program gets the real one back as its fd 2, in the
# subshell, so that the shell waiting for it keeps /dev/null.
exec 3>&2 2>/dev/null
(
  # libgcov's complaints go to a file rather than the program's stderr.
  export GCOV_PREFIX="$dir" GCOV_PREFIX_STRIP=1 GCOV_ERROR_FILE="$dir/errors"
  exec "$@" 2>&3 3>&-
)
status=$?
trap - HUP INT QUIT PIPE ALRM TERM USR1 USR2

gcda=
gcno=
for f in "$dir"/*.gcda; do
  [ -f "$f" ] || continue
  n=${f##*/}
  gcda="$gcda $f"
  gcno="$gcno /box/${n%.gcda}.gcno"
done

# Whatever libgcov complained of (two sources of one base name share one .gcda and
# .gcno: -o main a/x.c b/x.c → main-x.gcda), its counts are not to be trusted.
# Names come from the program's file names (letters, digits, ".", "_", "-"): no spaces.
set -f
# shellcheck disable=SC2086
if [ -n "$gcda" ] && [ -n "$marker" ] && [ ! -s "$dir/errors" ] && ln -s $gcno "$dir"/; then
  # -r: the program's own (relative) sources only, not the system headers'.
  # shellcheck disable=SC2086
  json=$(gcov -t -j -r -o "$dir" $gcda 2>/dev/null </dev/null)
  if [ -n "$json" ]; then
    # One JSON document per line, one per .gcda: joined into one array.
    IFS='
'
    # shellcheck disable=SC2086
    set -- $json
    IFS=,
    printf '\n%s\n[%s]\n' "$marker" "$*"
  fi
fi

# The shell reports a death by signal N as status 128+N, which an exit status can also be.
# libgcov writes .gcda files only when the program goes through exit(): with them the
# status is an exit status; without them, a status above 128 is taken as that signal when
# the signal's default action ends a process (never a stop or an ignored one).
if [ -z "$gcda" ] && [ "$status" -gt 128 ] && [ "$status" -le 192 ]; then
  case $((status - 128)) in
    17 | 18 | 19 | 20 | 21 | 22 | 23 | 28 | 32 | 33) ;;
    *) kill -$((status - 128)) $$ ;;
  esac
fi
exit "$status"
