#!/usr/bin/env bash
# Installs the peers and tools `make bench` measures against, skipping what is
# there: rclone and Syncthing (sync peers), mpg123 (playback peer) and strace
# (counts the server's fsyncs). CI does not need them.
set -euo pipefail

need=(rclone syncthing mpg123 strace lame)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
