#!/bin/sh
# The compile step, in the program directory: `compile.sh build` (a program) or `compile.sh test`
# (a test file) writes the executable ./main.
#
# The go command's scratch space (the linked binary before it is moved to ./main, the build cache)
# goes in the program directory, not /tmp: /tmp is sized by the run's memory limit and can be smaller
# than a linked test binary (5 MB). It is removed at the end; the image's precompiled archives
# leave the build cache only the candidate's own package.
work="$(mktemp -d "$PWD/.go-build.XXXXXX")" || exit
trap 'rm -rf "$work"' EXIT
export GOTMPDIR="$work" GOCACHE="$work/cache"
# The compiler's memory is the compile limit, not the program's: no soft heap limit here.
unset GOMEMLIMIT
if [ "$1" = test ]; then
  # go test would run vet first; vet is no compiler, and its analysis of the dependencies
  # (net/http for testify) costs seconds of CPU per submission.
  go test -c -vet=off -o main . || exit
else
  go build -o main . || exit
fi
# go build of a package not named main writes an archive, not a program.
if [ "$(head -c 4 main 2>/dev/null | tail -c 3)" != ELF ]; then
  echo "no executable was built: a program is package main with func main" >&2
  exit 1
fi
