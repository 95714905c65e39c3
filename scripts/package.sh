#!/usr/bin/env bash
# Builds the Debian package of the desktop app into build/package/ (make
# package, after make app): the app, megabox-cli, the desktop entry, the
# icons and the AppStream metadata, laid out by build/linux/nfpm.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
nfpm=github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
out=build/package
sizes=(16 22 24 32 48 64 128 256 512)

version=$(tr -d '[:space:]' <VERSION)
# The software centre shows the metadata's newest release: it must be this one.
newest=$(awk -F'"' '/<release version=/ && !v { v = $2 } END { print v }' build/linux/megabox.metainfo.xml)
if [ "$newest" != "$version" ]; then
  echo "package: VERSION is $version but the newest <release> in build/linux/megabox.metainfo.xml is ${newest:-missing}" >&2
  exit 1
fi
[ -x build/bin/megabox ] || { echo "package: build/bin/megabox is missing (make app)" >&2; exit 1; }

go build -o build/bin/megabox-cli ./app/cmd/megabox-cli

rm -rf "$out"
mkdir -p "$out/bin" "$out/icons"
# Stripped as Debian ships programs (a third smaller); Go's own tables keep
# panics readable.
strip -o "$out/bin/megabox" build/bin/megabox
strip -o "$out/bin/megabox-cli" build/bin/megabox-cli
for s in "${sizes[@]}"; do
  # No date chunks, so the same icon gives the same bytes.
  convert build/appicon.png -resize "${s}x${s}" -depth 8 -strip \
    -define png:exclude-chunks=date,time "$out/icons/${s}x${s}.png"
done

# Files in the package carry the commit's time, not the build's.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)} \
MEGABOX_VERSION=$version \
  go run "$nfpm" package --packager deb --config build/linux/nfpm.yaml --target "$out/" >/dev/null
deb="$out/megabox_${version}_amd64.deb"
[ -f "$deb" ] || { echo "package: nfpm made no $deb" >&2; ls "$out" >&2; exit 1; }
echo "$deb"
