#!/usr/bin/env bash
# Runs the browser end-to-end tests (frontend/e2e/*.e2e.mjs, or the files
# named) against the dev build of the app, each with fresh local platforms, a
# null sound card and Xvfb. Screenshots land in build/e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
shots=build/e2e
mkdir -p "$shots"
cleanup() {
  [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null
  wait 2>/dev/null || true
  scripts/null-audio.sh stop "$tmp/audio"
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -tags dev,webkit2_41 -o build/bin/megabox-dev .
eval "$(scripts/null-audio.sh start "$tmp/audio")"
# Xvfb picks a free display and says which once it is ready.
Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$tmp/display" >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 100); do [ -s "$tmp/display" ] && break; sleep 0.1; done
# Each file starts its own app instances (frontend/e2e/lib.mjs); one file at a time.
files=("$@"); [ ${#files[@]} -gt 0 ] || files=(frontend/e2e/*.e2e.mjs)
DISPLAY=":$(head -1 "$tmp/display")" MEGABOX_E2E_SHOTS="$PWD/$shots" TMPDIR="$tmp" \
  node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
