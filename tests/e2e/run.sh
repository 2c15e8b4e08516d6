#!/usr/bin/env bash
# Runs the end-to-end tests against the real Guestpass window: a virtual X display (Xvfb),
# a private D-Bus session, tauri-driver in front of Debian's WebKitWebDriver, and Node's
# test runner driving it over WebDriver. Usage: tests/e2e/run.sh PATH_TO_APP_BINARY
set -euo pipefail
app="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
tests="$(realpath "${2:-$here}")"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# A display number nobody uses.
display=99
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1366x850x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done

export DISPLAY=":$display"
export GUESTPASS_APP="$app"
export GUESTPASS_E2E_TESTS="$tests"
export GUESTPASS_E2E_WORK="$work"
export GUESTPASS_SCREENSHOTS="$here/screenshots"
# A fresh data folder: an empty history and a newly seeded sandbox tenant. The app inherits
# it through tauri-driver and WebKitWebDriver.
export GUESTPASS_DATA_DIR="$work/data"
unset GUESTPASS_TENANT GUESTPASS_GRAPH_URL GUESTPASS_LOGIN_URL GUESTPASS_BAP_URL
mkdir -p "$GUESTPASS_SCREENSHOTS"
# A stand-in for the Azure CLI: without a sign-in it answers as az does; once a test has put a
# token in az-token.json, it hands that out.
cat >"$work/az" <<'AZ'
#!/bin/sh
if [ -f "$GUESTPASS_E2E_WORK/az-token.json" ]; then cat "$GUESTPASS_E2E_WORK/az-token.json"; exit 0; fi
echo "ERROR: Please run 'az login' to setup account." >&2
exit 1
AZ
chmod +x "$work/az"
export GUESTPASS_AZ="$work/az"
# Native Save and Open dialogs cannot be driven over WebDriver: the app takes the answer a test
# writes here instead of showing the dialog (see src-tauri/src/dialogs.rs).
export GUESTPASS_TEST_DIALOG_ANSWER="$work/dialog-answer"
: >"$GUESTPASS_TEST_DIALOG_ANSWER"
# Without a private D-Bus session the app starts stray at-spi daemons that break the next session.
# Inside it, an unlocked gnome-keyring is the Secret Service the app keeps sign-ins in.
export XDG_DATA_HOME="$work/xdg-data"
mkdir -p "$XDG_DATA_HOME"
# The window's remembered size and place, kept apart from the person running the tests.
export XDG_CONFIG_HOME="$work/xdg-config"
mkdir -p "$XDG_CONFIG_HOME"
dbus-run-session -- bash -c '
  printf guestpass-e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
  tauri-driver --port 4444 --native-driver /usr/bin/WebKitWebDriver >"$GUESTPASS_E2E_WORK/tauri-driver.log" 2>&1 &
  driver=$!
  for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/4444) 2>/dev/null && break; sleep 0.1; done
  status=0
  if [ -d "$GUESTPASS_E2E_TESTS" ]; then set -- "$GUESTPASS_E2E_TESTS"/*.test.mjs; else set -- "$GUESTPASS_E2E_TESTS"; fi
  node --test --test-concurrency=1 "$@" || status=$?
  kill $driver 2>/dev/null || true
  if [ $status -ne 0 ]; then echo "--- tauri-driver log ---"; tail -50 "$GUESTPASS_E2E_WORK/tauri-driver.log"; fi
  exit $status
'
