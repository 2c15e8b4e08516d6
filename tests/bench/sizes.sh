#!/usr/bin/env bash
# The release build's sizes next to their targets (issue 15): the binary <= 15 MB, the .deb <= 6 MB.
# Usage: tests/bench/sizes.sh RELEASE_DIR. Also checks the .deb carries a desktop entry and icon.
set -euo pipefail
release="$1"
deb="$(ls -t "$release"/bundle/deb/*.deb | head -1)"
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1000000 }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t ? "within" : "OVER") }'; }
bin_mb="$(mb "$release/guestpass")"
deb_mb="$(mb "$deb")"
echo "release binary: $bin_mb MB (target <= 15 MB: $(verdict "$bin_mb" 15))"
echo "$(basename "$deb"): $deb_mb MB (target <= 6 MB: $(verdict "$deb_mb" 6))"
contents="$(dpkg-deb --contents "$deb")"
grep -q 'usr/share/applications/.*\.desktop$' <<<"$contents" || { echo "the .deb has no desktop entry" >&2; exit 1; }
grep -q 'usr/share/icons/hicolor/.*/apps/' <<<"$contents" || { echo "the .deb has no icon" >&2; exit 1; }
echo "desktop entry and icons: present"
