#!/usr/bin/env bash
# Repacks the .deb Tauri built with xz instead of gzip (Debian's own default; about a third
# smaller for our binary). Usage: packaging/deb-xz.sh RELEASE_DIR
set -euo pipefail
deb="$(ls -t "$1"/bundle/deb/*.deb | head -1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dpkg-deb --raw-extract "$deb" "$work/pkg"
dpkg-deb -Zxz -z9 --root-owner-group --build "$work/pkg" "$work/repacked.deb" >/dev/null
mv "$work/repacked.deb" "$deb"
