#!/usr/bin/env bash
# Opens the production build in a real window under Xvfb, signs in as the
# demo creator and the demo fan, and saves a screenshot of each main view
# to build/screenshots/, failing if any is blank.
#
# Nothing here sleeps for a guessed time: each step watches the window's
# pixels until the view has changed and then holds still, with a deadline
# (MEGABOX_SCREENSHOT_TIMEOUT seconds, default 180, per step), so a loaded
# machine makes the run slower but not wrong.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/screenshots
mkdir -p "$out"
rm -f "$out"/*.png
tmp=$(mktemp -d)
limit=${MEGABOX_SCREENSHOT_TIMEOUT:-180}
cleanup() {
  [ -n "${app:-}" ] && kill "$app" 2>/dev/null
  [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

now() { echo "${EPOCHREALTIME/,/.}"; }
later() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }   # a > b, as decimals
deadline() { awk -v t="$(now)" -v s="$limit" 'BEGIN { printf "%.3f", t + s }'; }
give_up() {
  echo "screenshots: gave up waiting ${limit}s for $1" >&2
  local f
  for f in cur prev; do
    [ -s "$tmp/$f.png" ] && cp "$tmp/$f.png" "$out/timed-out.png" && echo "last frame: $out/timed-out.png" >&2 && break
  done
  cat "$tmp/app.log" >&2 2>/dev/null || true
  exit 1
}

# Xvfb picks a free display and says which once it is ready.
Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$tmp/display" >/dev/null 2>&1 &
xvfb=$!
end=$(deadline)
until [ -s "$tmp/display" ]; do later "$(now)" "$end" && give_up "Xvfb"; sleep 0.1; done
export DISPLAY=":$(head -1 "$tmp/display")"
MEGABOX_HOME="$tmp" HOME="$tmp" MEGABOX_NO_KEYRING=1 build/bin/megabox >"$tmp/app.log" 2>&1 &
app=$!
wid=""
end=$(deadline)
until wid=$(xdotool search --onlyvisible --name '^Megabox$' 2>/dev/null | head -1) && [ -n "$wid" ]; do
  kill -0 "$app" 2>/dev/null || { echo "the app exited" >&2; cat "$tmp/app.log" >&2; exit 1; }
  later "$(now)" "$end" && give_up "the Megabox window"
  sleep 0.2
done

# Pixels that differ between two frames (a 2% fuzz absorbs antialiasing noise).
# compare exits 1 when they differ, which is not a failure here.
differ() { { compare -metric AE -fuzz 2% "$1" "$2" null: 2>&1 || true; } | awk '{ printf "%d", $1 + 0 }'; }
blank() {
  local sd
  sd=$(convert "$1" -colorspace Gray -format '%[fx:standard_deviation]' info:)
  awk -v s="$sd" 'BEGIN { exit !(s < 0.02) }'
}
# The welcome fills the window with one background: until the app knows the
# account it shows its frame (a sidebar with no rows), which holds still for
# seconds under load and must not pass for the welcome.
welcome_drawn() {
  local c
  c=$(convert "$1" -format '%[pixel:p{100,400}] %[pixel:p{199,400}] %[pixel:p{700,400}]' info:)
  awk -v c="$c" 'BEGIN { split(c, p, " "); exit !(p[1] == p[3] && p[2] == p[3]) }'
}
# Something is drawn at X,Y (the next click's target): its pixel is not the
# page's background, as seen in a corner the views leave empty.
drawn_at() {
  local c
  c=$(convert "$3" -format "%[pixel:p{$1,$2}] %[pixel:p{1150,650}]" info:)
  awk -v c="$c" 'BEGIN { split(c, p, " "); exit !(p[1] != p[2]) }'
}
# settle BEFORE NEED WHAT [READY]: polls the window until it differs from
# the frame BEFORE by at least NEED pixels (with no BEFORE: until it is not
# blank) and READY, a check of the frame, passes; then until it holds still
# (under QUIET pixels changing) for STILL polls in a row. A view draws its
# frame before its data arrives, so holding still must last a while: at
# least 2 s, and as long as the change took to appear (up to 15 s), since a
# machine slow to draw is as slow to fetch. The settled frame is left in
# $tmp/settled.png.
quiet=200 still=4
settle() {
  local before=$1 need=$2 what=$3 ready=${4:-true} start end changed="" hold same=0 since="" d
  start=$(now) end=$(deadline)
  rm -f "$tmp/prev.png" "$tmp/cur.png"
  while :; do
    later "$(now)" "$end" && give_up "$what"
    sleep 0.25   # poll interval
    import -window "$wid" "$tmp/cur.png" 2>/dev/null || continue
    if [ -z "$changed" ]; then
      if [ -n "$before" ]; then
        d=$(differ "$before" "$tmp/cur.png")
        [ "$d" -ge "$need" ] && changed=1
      else
        blank "$tmp/cur.png" || changed=1
      fi
      [ -n "$changed" ] && ! $ready "$tmp/cur.png" && changed=""
      [ -n "$changed" ] && hold=$(awk -v a="$start" -v b="$(now)" 'BEGIN { h = b - a; printf "%.3f", (h < 2 ? 2 : (h > 15 ? 15 : h)) }')
    elif [ -s "$tmp/prev.png" ] && [ "$(differ "$tmp/prev.png" "$tmp/cur.png")" -lt "$quiet" ]; then
      same=$((same + 1))
      [ -n "$since" ] || since=$(now)
      if [ "$same" -ge "$still" ] && later "$(now)" "$(awk -v s="$since" -v h="$hold" 'BEGIN { printf "%.3f", s + h }')"; then
        mv "$tmp/cur.png" "$tmp/settled.png"
        return
      fi
    else
      same=0 since=""
    fi
    mv "$tmp/cur.png" "$tmp/prev.png"
  done
}
# click X Y WHAT [NEED [READY]]: clicks there and waits until the window
# changed by NEED pixels from the last settled frame (default: enough for a
# new view; a hover effect or a pressed button is far less), READY passes,
# and it is still again.
click() {
  mv "$tmp/settled.png" "$tmp/before.png"
  xdotool mousemove --window "$wid" "$1" "$2" click 1 2>/dev/null
  settle "$tmp/before.png" "${4:-20000}" "$3" "${5:-true}"
}
shot() { cp "$tmp/settled.png" "$out/$1.png"; }

# Places in the 1200×800 window (the sidebar's rows are 36 px apart).
settle "" 0 "the welcome view" welcome_drawn
shot welcome
# → Account, ready to sign up, with the demo accounts' buttons
click 758 477 '"I make music"' 20000 "drawn_at 538 594"
shot account
click 538 594 '"Try as the demo artist"'         # → Sync
shot sync
click 42 110 "Earnings"; shot earnings
click 42 146 "Fans"; shot fans
click 42 182 "Store"; shot store
click 42 254 "Account" 20000 "drawn_at 458 232"; shot account-creator
click 458 232 '"Sign out"' 20000 "drawn_at 342 594"
click 342 594 '"Try as the demo listener"'       # → Library
click 700 400 "the Library view" 0               # moves the pointer off the sidebar
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
