#!/usr/bin/env bash
# Runs one fuzz target and tells a crash from a failure of the fuzzing engine.
# Usage: scripts/fuzz.sh PACKAGE TARGET FUZZTIME   (FUZZTIME: 2m, or 20000x)
# FUZZMINIMIZE, if set, bounds each minimization (-fuzzminimizetime, e.g. 500x).
#
# A crasher is always written under PACKAGE/testdata/fuzz/TARGET. Go 1.26's
# coordinator can also fail at the end of a duration budget ("context
# deadline exceeded", golang/go#75804) without finding anything: that is
# reported as an engine failure, not as a crash.
set -uo pipefail
pkg=$1 target=$2 budget=$3
corpus="$pkg/testdata/fuzz/$target"

before=$(mktemp); after=$(mktemp); log=$(mktemp)
trap 'rm -f "$before" "$after" "$log"' EXIT
list() { if [ -d "$corpus" ]; then find "$corpus" -type f | sort; fi; }

list >"$before"
go test -run '^$' -fuzz "^${target}\$" -fuzztime "$budget" ${FUZZMINIMIZE:+-fuzzminimizetime "$FUZZMINIMIZE"} "$pkg" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] && exit 0

list >"$after"
new=$(comm -13 "$before" "$after")
if [ -n "$new" ]; then
  echo "fuzz: $target found a crasher; reproduce with: go test -run '$target/$(basename "$(echo "$new" | head -1)")' $pkg" >&2
  echo "$new" | sed 's/^/  new: /' >&2
elif grep -q 'failure while testing seed corpus entry' "$log"; then
  echo "fuzz: $target: an input already in the corpus fails (see the log above)" >&2
else
  echo "fuzz: $target: fuzzing engine failed, no crasher written (see the log above)" >&2
fi
exit "$status"
