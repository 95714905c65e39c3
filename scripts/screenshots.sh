#!/usr/bin/env bash
# Opens the production build in a real window under Xvfb, signs in as the
# demo creator and the demo fan, and saves a screenshot of each main view
# to build/screenshots/, failing if any is blank.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/screenshots
mkdir -p "$out"
rm -f "$out"/*.png
tmp=$(mktemp -d)
cleanup() {
  [ -n "${app:-}" ] && kill "$app" 2>/dev/null
  [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
# Xvfb picks a free display and says which once it is ready.
Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$tmp/display" >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 100); do [ -s "$tmp/display" ] && break; sleep 0.1; done
export DISPLAY=":$(head -1 "$tmp/display")"
MEGABOX_HOME="$tmp" HOME="$tmp" MEGABOX_NO_KEYRING=1 build/bin/megabox >"$tmp/app.log" 2>&1 &
app=$!
wid=""
for _ in $(seq 100); do
  wid=$(xdotool search --onlyvisible --name '^Megabox$' 2>/dev/null | head -1 || true)
  [ -n "$wid" ] && break
  sleep 0.2
done
[ -n "$wid" ] || { echo "no Megabox window" >&2; cat "$tmp/app.log" >&2; exit 1; }
sleep 3
click() { xdotool mousemove --window "$wid" "$1" "$2" click 1 2>/dev/null; sleep "${3:-1.5}"; }
shot() { import -window "$wid" "$out/$1.png" 2>/dev/null; }

# Places in the 1200×800 window (the sidebar's rows are 36 px apart).
shot welcome
click 758 477 2                            # "I make music" → Account, ready to sign up
shot account
click 538 594 3                            # "Try as the demo artist" → Sync
shot sync
click 42 110 2; shot earnings
click 42 146 2; shot fans
click 42 182 2; shot store
click 42 254 2; shot account-creator
click 458 232 2                            # "Sign out"
click 342 594 3                            # "Try as the demo listener" → Library
click 700 400 0.5                          # move the pointer off the sidebar
shot library

fail=0
for f in "$out"/*.png; do
  sd=$(convert "$f" -colorspace Gray -format '%[fx:standard_deviation]' info:)
  if awk -v s="$sd" 'BEGIN { exit !(s < 0.02) }'; then echo "blank screenshot: $f (stddev $sd)" >&2; fail=1; fi
done
n=$(ls "$out"/*.png | wc -l)
sums=$(md5sum "$out"/*.png | cut -d' ' -f1 | sort -u | wc -l)
[ "$sums" -eq "$n" ] || { echo "screenshots repeat: $sums distinct of $n" >&2; fail=1; }
[ $fail -eq 0 ] && echo "screenshots: $n passed, 0 failed" || { echo "screenshots: 0 passed, $n failed"; exit 1; }
