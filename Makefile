# Guestpass: `make run` opens the app on the sandbox tenant; `make test` runs every test.
# Both install what is missing first (Debian 12: apt packages, npm packages, tauri-driver).
SHELL := /bin/bash
.DEFAULT_GOAL := run

export CARGO_TARGET_DIR ?= $(CURDIR)/target
APP := $(CARGO_TARGET_DIR)/debug/guestpass
CLI := $(CARGO_TARGET_DIR)/debug/guestpass-cli
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libwebkit2gtk-4.1-dev build-essential pkg-config xvfb webkit2gtk-driver dbus-x11 gnome-keyring imagemagick python3-venv

.PHONY: run test setup system-packages node-packages tauri-driver ui build bindings unit keychain sdk e2e lint bench deb clean

## Set everything up, build, and open Guestpass on the sandbox tenant.
run: setup build
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "No display found: run 'make run' from a desktop session (or under xvfb-run)."; exit 1; fi
	$(APP)

## Set everything up and run every test: Rust unit and integration tests, UI type checks,
## the generated-types check, Microsoft's Graph SDK against the sandbox, and the end-to-end test
## of the real window.
test: setup build unit keychain sdk e2e

setup: system-packages node-packages tauri-driver

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# `npm install` rather than `npm ci`: the registry reachable here serves only this platform's
# optional packages (rollup, tauri-cli), so the lock lacks the others and `npm ci` refuses it.
node-packages:
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm install --no-audit --no-fund; fi

tauri-driver:
	@command -v tauri-driver >/dev/null || cargo install tauri-driver --locked

ui:
	npx tsc --noEmit -p ui
	npx vite build --logLevel warn

## The app is always built with the custom protocol: it serves the built UI from inside the binary.
build: ui
	cargo build --features custom-protocol -p guestpass -p guestpass-cli

## Regenerate the UI's generated files: types.ts from the Rust types, commands.ts from the Tauri commands.
bindings:
	UPDATE_BINDINGS=1 cargo test -p guestpass-core --test typescript_bindings

unit:
	@if cargo nextest --version >/dev/null 2>&1; then \
	  cargo nextest run --workspace --exclude guestpass --no-fail-fast; \
	else cargo test --workspace --exclude guestpass --no-fail-fast; fi

## The keychain against a real Secret Service: gnome-keyring, unlocked, in a private D-Bus session.
keychain:
	dbus-run-session -- bash -c 'export XDG_DATA_HOME=$$(mktemp -d); \
	  printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; \
	  cargo test -p guestpass-keychain --test secret_service -- --ignored'

## Microsoft's Graph SDK for Python (msgraph-sdk, from PyPI) onboards a guest against the sandbox.
SDK_VENV := $(CARGO_TARGET_DIR)/sdk-venv
sdk:
	@[ -x "$(SDK_VENV)/bin/python" ] || python3 -m venv "$(SDK_VENV)"
	@"$(SDK_VENV)/bin/pip" install -q --disable-pip-version-check -r tests/sdk/requirements.txt
	"$(SDK_VENV)/bin/python" tests/sdk/onboard_with_msgraph_sdk.py "$(CLI)"

e2e:
	bash tests/e2e/run.sh "$(APP)"

## Benchmarks (reported, not enforced): the History queries over 100,000 rows, the import
## preview of 10,000 and 100,000 rows against a 2,000-user tenant, a bulk run of 1,000
## guests against Graph's write limit next to a one-request-at-a-time loop, the Protect
## pre-flight of 200 guests and the Guests list of 10,000 against their floors, and the release
## app as installed: binary and .deb size, first screen, memory after start and after a
## 1,000-guest import in the window (~30 min with the release build).
bench: deb
	cargo run --release -p guestpass-store --example history_bench
	cargo run --release -p guestpass-core --example preview_bench
	cargo run --release -p guestpass-core --example bulk_bench
	cargo run --release -p guestpass-core --example preflight_bench
	cargo run --release -p guestpass-core --example guests_bench
	cargo run --release -p guestpass-core --example audit_bench
	bash tests/bench/sizes.sh "$(CARGO_TARGET_DIR)/release"
	bash tests/e2e/run.sh "$(CARGO_TARGET_DIR)/release/guestpass" tests/bench/desktop.bench.mjs

lint:
	cargo clippy --workspace --all-targets -- -D warnings
	cargo fmt --all --check

## The release .deb (with its desktop entry and icons) under $(CARGO_TARGET_DIR)/release/bundle/deb.
## Windows (.msi) and macOS (.dmg) bundles are configured in tauri.conf.json; build them there.
deb: setup ui
	npx tauri build --bundles deb
	bash packaging/deb-xz.sh "$(CARGO_TARGET_DIR)/release"
	bash tests/bench/sizes.sh "$(CARGO_TARGET_DIR)/release"

clean:
	cargo clean
	rm -rf ui/dist node_modules
