#!/usr/bin/env bash
# Builds the Debian package (make package), installs it on this machine,
# checks what it put where, opens the installed app under Xvfb and
# screenshots it to build/package/installed.png, hands it a megabox:// link,
# then removes the package and checks it left nothing behind. It installs
# system packages, so it runs only in CI (CI=true) or when asked
# (MEGABOX_PACKAGE_TEST=1).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${CI:-}" != true ] && [ "${MEGABOX_PACKAGE_TEST:-}" != 1 ]; then
  echo "package test: skipped (installs a system package; set MEGABOX_PACKAGE_TEST=1 to run it)"
  exit 0
fi
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' megabox 2>/dev/null)" = installed ]; }
known() { [ -n "$(dpkg-query -W -f='${db:Status-Status}' megabox 2>/dev/null | grep -v not-installed)" ]; }
if installed; then
  echo "package test: megabox is already installed here; remove it first (the test installs and removes it)" >&2
  exit 1
fi

deb=$(scripts/package.sh)
shot=build/package/installed.png
tmp=$(mktemp -d)
cleanup() {
  [ -n "${app:-}" ] && kill "$app" 2>/dev/null
  [ -n "${opener:-}" ] && { pkill -P "$opener" 2>/dev/null; kill "$opener" 2>/dev/null; }
  [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null
  [ -n "${bus:-}" ] && kill "$bus" 2>/dev/null
  wait 2>/dev/null || true
  known && $sudo dpkg --purge megabox >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "package test: $*" >&2; exit 1; }
trap 'echo "package test: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
# until SECONDS CMD...: runs CMD every 0.2 s until it succeeds or time runs out.
until_ok() {
  local end=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.2; done
}

# apt-get (not dpkg -i) so that Depends are resolved as a user's install would.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "./$deb" >"$tmp/apt.log" 2>&1 ||
  fail "apt-get could not install $deb:"$'\n'"$(cat "$tmp/apt.log")"
installed || fail "apt-get did not install $deb"

# Exactly these files, no more, no fewer.
want=(/usr/bin/megabox /usr/bin/megabox-cli
  /usr/share/applications/megabox.desktop /usr/share/metainfo/megabox.metainfo.xml)
for s in 16 22 24 32 48 64 128 256 512; do want+=("/usr/share/icons/hicolor/${s}x${s}/apps/megabox.png"); done
got=$(dpkg -L megabox | while read -r f; do [ -f "$f" ] && echo "$f"; done | sort)
[ "$got" = "$(printf '%s\n' "${want[@]}" | sort)" ] ||
  fail "dpkg -L megabox lists other files:"$'\n'"$(diff <(printf '%s\n' "${want[@]}" | sort) <(echo "$got"))"
for s in 16 48 512; do
  dims=$(identify -format '%wx%h' "/usr/share/icons/hicolor/${s}x${s}/apps/megabox.png")
  [ "$dims" = "${s}x${s}" ] || fail "the ${s}x${s} icon is $dims"
done

desktop-file-validate /usr/share/applications/megabox.desktop || fail "desktop-file-validate refused megabox.desktop"
appstreamcli validate --no-net /usr/share/metainfo/megabox.metainfo.xml >"$tmp/appstream" 2>&1 ||
  fail "appstreamcli refused the metadata:"$'\n'"$(cat "$tmp/appstream")"

# Every library the programs link comes from a package the package depends on.
depends=$(dpkg-query -W -f='${Depends}' megabox)
for bin in /usr/bin/megabox /usr/bin/megabox-cli; do
  for lib in $(objdump -p "$bin" | awk '/NEEDED/ { print $2 }'); do
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ && !p { p = $NF } END { print p }')
    [ -n "$path" ] || fail "$bin needs $lib, which is not installed"
    # dpkg knows the path as shipped, which usrmerge may have moved.
    owner=$({ dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null; } | awk -F: 'NR == 1 { print $1 }')
    [ -n "$owner" ] || fail "$bin needs $lib ($path), which no package owns"
    grep -qE "(^|, )$owner( |,|$)" <<<"$depends" || fail "$bin needs $lib from $owner, not in Depends: $depends"
  done
done

# The desktop knows the app opens megabox:// links (a fresh user, no DE).
handler() {
  env -i PATH="$PATH" HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_DATA_HOME="$tmp/home/.local/share" \
    XDG_DATA_DIRS=/usr/local/share:/usr/share xdg-mime query default x-scheme-handler/megabox 2>/dev/null || true
}
mkdir -p "$tmp/home"
[ "$(handler)" = megabox.desktop ] || fail "xdg-mime answers '$(handler)' for x-scheme-handler/megabox, not megabox.desktop"

# The installed app opens a real window under Xvfb with no sound card, on
# its own session bus (a second start finds the first one there).
Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$tmp/display" >/dev/null 2>&1 &
xvfb=$!
until_ok 10 test -s "$tmp/display" || fail "Xvfb did not start"
export DISPLAY=":$(head -1 "$tmp/display")"
dbus-daemon --session --fork --nopidfile --print-address=3 --print-pid=4 3>"$tmp/bus" 4>"$tmp/bus.pid"
bus=$(head -1 "$tmp/bus.pid")
export DBUS_SESSION_BUS_ADDRESS=$(head -1 "$tmp/bus") NO_AT_BRIDGE=1
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_DATA_HOME="$tmp/home/.local/share" \
  XDG_DATA_DIRS=/usr/local/share:/usr/share MEGABOX_HOME="$tmp/megabox" MEGABOX_NO_KEYRING=1
(cd "$tmp" && exec /usr/bin/megabox) >"$tmp/app.log" 2>&1 &
app=$!
windows() { xdotool search --onlyvisible --name '^Megabox$' 2>/dev/null || true; }
has_window() { [ -n "$(windows)" ]; }
until_ok 30 has_window || fail "no Megabox window; the app said:"$'\n'"$(cat "$tmp/app.log")"
wid=$(windows | awk 'NR == 1')
# The window is painted once it holds more than the background and a few
# shades of it (text brings hundreds of colours), and settled once two
# captures in a row are the same.
painted() {
  import -window "$wid" "$tmp/next.png" 2>/dev/null || return 1
  [ "$(identify -format %k "$tmp/next.png")" -gt 200 ] && cmp -s "$tmp/next.png" "$shot" && return 0
  mv "$tmp/next.png" "$shot"; return 1
}
rm -f "$shot"
until_ok 30 painted || fail "the window stayed blank or kept changing ($(identify -format %k "$shot" 2>/dev/null) colours in $shot)"
echo "package test: the installed app shows a window, $(identify -format '%wx%h, %k colours' "$shot") in $shot"

# A megabox:// link opened through the desktop starts the app a second time,
# which hands the link to the running one and leaves: still one window.
xdg-open megabox://release/1 >"$tmp/open.log" 2>&1 &
opener=$!
opener_gone() { ! kill -0 "$opener" 2>/dev/null; }
until_ok 30 opener_gone || fail "xdg-open megabox://release/1 is still running: the second start kept going"
wait "$opener" || true # the handing-over start exits with status 1, which xdg-open reports as a failure
opener=""
[ "$(windows | wc -l)" -eq 1 ] || fail "a megabox:// link opened a second window"
kill -0 "$app" 2>/dev/null || fail "the app quit when a link was opened"
kill "$app"; wait "$app" 2>/dev/null || true; app=""
kill "$bus"; bus=""

DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq megabox >"$tmp/apt.log" 2>&1 ||
  fail "apt-get could not remove megabox:"$'\n'"$(cat "$tmp/apt.log")"
installed && fail "apt-get remove left megabox installed"
for f in "${want[@]}"; do [ ! -e "$f" ] || fail "$f is still there after removal"; done
[ -z "$(handler)" ] || fail "x-scheme-handler/megabox still opens with '$(handler)' after removal"
# Removal keeps the maintainer scripts until a purge; purge leaves no trace.
$sudo dpkg --purge megabox >/dev/null
known && fail "dpkg still knows megabox after a purge"
echo "package test: passed ($(basename "$deb"): installed, validated, opened, removed)"
