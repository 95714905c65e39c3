#!/usr/bin/env bash
# Runs the browser end-to-end test against the dev build of the app with a
# fresh local platform, a null sound card and Xvfb. Screenshots land in
# build/e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
shots=build/e2e
mkdir -p "$shots"
cleanup() {
  [ -n "${app:-}" ] && kill "$app" 2>/dev/null
  [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null
  wait 2>/dev/null || true
  scripts/null-audio.sh stop "$tmp/audio"
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -tags dev,webkit2_41 -o build/bin/megabox-dev .
# A release folder of three short generated tracks.
album="$tmp/music/E2E Album"
mkdir -p "$album"
for i in 1 2 3; do
  sox -n -r 44100 -c 2 "$tmp/t.wav" synth 8 pluck $((200 + i * 60)) 2>/dev/null
  lame --quiet -b 96 --tt "$( [ $i = 1 ] && echo Opening || echo Part $i )" --ta "Nova Harbor" --tl "E2E Album" --tn $i/3 "$tmp/t.wav" "$album/0$i.mp3"
done
touch -d '10 seconds ago' "$album"/*.mp3
eval "$(scripts/null-audio.sh start "$tmp/audio")"
port=$((34115 + RANDOM % 2000))
while ss -ltn | grep -q ":$port "; do port=$((port + 1)); done
# Xvfb picks a free display and says which once it is ready.
Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$tmp/display" >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 100); do [ -s "$tmp/display" ] && break; sleep 0.1; done
display=":$(head -1 "$tmp/display")"
DISPLAY=$display MEGABOX_HOME="$tmp/home" HOME="$tmp/home" MEGABOX_NO_KEYRING=1 \
  build/bin/megabox-dev -devserver 127.0.0.1:$port -assetdir frontend/dist >"$tmp/app.log" 2>&1 &
app=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port" >/dev/null && break; sleep 0.2; done
node frontend/e2e/app.e2e.mjs "http://127.0.0.1:$port" "$tmp/music" "$shots" || { tail -30 "$tmp/app.log"; exit 1; }
