#!/usr/bin/env bash
# End-to-end test of the desktop app on a virtual screen.
#
#   tests/e2e/run.sh [pytest args…]
#
# Builds the UI and the desktop binary, starts Xvfb (on a free display), openbox (xcap
# needs a window manager) and tauri-driver (on free ports), runs the pytest tests in
# tests/e2e against the real app, then stops everything it started. Exits with pytest's
# status. Needs what scripts/bootstrap installs (Xvfb, openbox, WebKitWebDriver,
# tauri-driver, imagemagick, xdotool, .venv with selenium and pytest).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
started=$(date +%s)

say() { echo "e2e [$(($(date +%s) - started)) s]: $*" >&2; }
need() { command -v "$1" >/dev/null || { say "$1 is missing: run scripts/bootstrap first."; exit 2; }; }
for tool in Xvfb openbox tauri-driver WebKitWebDriver dbus-run-session import xdotool npm cargo; do need "$tool"; done
[ -x .venv/bin/python ] || { say ".venv is missing: run scripts/bootstrap first."; exit 2; }

# ---- build ------------------------------------------------------------------------
say "building the UI and the app"
[ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)
# Rebuild the UI only when its sources changed: a new ui/dist makes cargo re-embed it
# and relink the app.
if [ ! -f ui/dist/index.html ] ||
  [ -n "$(find ui/src ui/index.html ui/vite.config.ts ui/package-lock.json -newer ui/dist/index.html 2>/dev/null | head -1)" ]; then
  (cd ui && npm run --silent build >/dev/null)
fi
# The desktop app embeds ui/dist; the CLI is used by the test to read the store back.
# EK_E2E_RELEASE=1 (for benchmarks, scripts/bench-window): the release build.
if [ "${EK_E2E_RELEASE:-}" = 1 ]; then
  cargo build --quiet --release -p evidence-kit-desktop -p evidence-kit
  APP="$ROOT/target/release/evidence-kit-desktop"
  CLI="$ROOT/target/release/evidence-kit"
else
  cargo build --quiet -p evidence-kit-desktop -p evidence-kit
  APP="$ROOT/target/debug/evidence-kit-desktop"
  CLI="$ROOT/target/debug/evidence-kit"
fi

# ---- start the display, window manager and driver --------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ek-e2e.XXXXXX")
groups=()
cleanup() {
  local status=$?
  # Each helper runs in its own process group (setsid), so this also ends what it
  # spawned (WebKitWebDriver, the app) and nothing else. Newest first: the driver
  # before the display it draws on.
  local i pgid
  for ((i = ${#groups[@]} - 1; i >= 0; i--)); do
    pgid=${groups[i]}
    kill -TERM -- "-$pgid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pgid" 2>/dev/null || true
  done
  rm -rf "$WORK"
  say "done"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Start "$@" in a new process group, logging to $WORK/<name>.log; remember the group.
start() {
  local name=$1
  shift
  setsid "$@" >"$WORK/$name.log" 2>&1 &
  groups+=($!)
}

# Xvfb picks a free display number itself and writes it to fd 3. The screen is at least a
# common school laptop's (1366×768) and a little taller, so that a 1366×768 window fits
# with openbox's title bar (issue 16); EK_E2E_SCREEN=1280x800x24 checks another size.
start xvfb Xvfb -displayfd 3 -screen 0 "${EK_E2E_SCREEN:-1366x800x24}" -nolisten tcp 3>"$WORK/display"
for _ in $(seq 100); do [ -s "$WORK/display" ] && break; sleep 0.1; done
[ -s "$WORK/display" ] || { say "Xvfb did not start:"; cat "$WORK/xvfb.log" >&2; exit 2; }
DISPLAY=":$(tr -dc 0-9 <"$WORK/display")"
export DISPLAY
say "Xvfb on $DISPLAY"

start openbox openbox
# Wait until openbox manages the screen (xcap lists windows through it).
if command -v xprop >/dev/null; then
  for _ in $(seq 50); do xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q window && break; sleep 0.1; done
else
  sleep 1
fi

free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
NATIVE_PORT=$(free_port)
while [ "$NATIVE_PORT" = "$PORT" ]; do NATIVE_PORT=$(free_port); done

# The app inherits this environment through tauri-driver and WebKitWebDriver:
# - a time zone with a non-zero offset, so the test can tell local time from UTC;
# - XDG folders in $WORK, so WebKit's caches do not land in the real home folder;
# - a private D-Bus session (dbus-run-session), so GTK does not autolaunch a bus that
#   outlives the test and leaves a file in ~/.dbus.
# - a PDF viewer of its own: "Print the form" makes the form in the app's private folder
#   (removed when it closes) and opens it with xdg-open; the viewer registered here for
#   application/pdf copies the file it is given into $EK_E2E_PRINTED, for the tests to read.
export EK_E2E_TZ=Asia/Kolkata
mkdir -p "$WORK/xdg/data/applications" "$WORK/xdg/cache" "$WORK/xdg/config" "$WORK/viewer" "$WORK/printed"
export EK_E2E_PRINTED="$WORK/printed"
cat >"$WORK/viewer/ek-e2e-viewer" <<'VIEWER'
#!/bin/sh
# The end-to-end tests' PDF viewer: keep a copy of what was opened, then note its name.
cp -- "$1" "$EK_E2E_PRINTED/" && basename -- "$1" >>"$EK_E2E_PRINTED/opened.txt"
VIEWER
chmod +x "$WORK/viewer/ek-e2e-viewer"
cat >"$WORK/xdg/data/applications/ek-e2e-viewer.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=Evidence Kit test PDF viewer
Exec=$WORK/viewer/ek-e2e-viewer %f
MimeType=application/pdf;
NoDisplay=true
DESKTOP
if command -v xdg-mime >/dev/null; then
  XDG_DATA_HOME="$WORK/xdg/data" XDG_CONFIG_HOME="$WORK/xdg/config" \
    xdg-mime default ek-e2e-viewer.desktop application/pdf
else
  say "xdg-mime is missing (xdg-utils): the tests of \"Print the form\" will fail; run scripts/bootstrap."
fi
TZ=$EK_E2E_TZ XDG_DATA_HOME="$WORK/xdg/data" XDG_CACHE_HOME="$WORK/xdg/cache" \
  XDG_CONFIG_HOME="$WORK/xdg/config" \
  start tauri-driver dbus-run-session -- tauri-driver --port "$PORT" --native-port "$NATIVE_PORT"
listening=no
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && { listening=yes; break; }
  sleep 0.1
done
[ "$listening" = yes ] || { say "tauri-driver did not start:"; cat "$WORK/tauri-driver.log" >&2; exit 2; }
say "tauri-driver on port $PORT (WebKitWebDriver on $NATIVE_PORT)"

# ---- test ------------------------------------------------------------------------
export EK_E2E_APP="$APP" EK_E2E_CLI="$CLI" EK_E2E_DISPLAY="$DISPLAY"
export EK_E2E_DRIVER_URL="http://127.0.0.1:$PORT"
export EK_E2E_SCREENSHOT="${EK_E2E_SCREENSHOT:-${TMPDIR:-/tmp}/e2e-shot.png}"
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider tests/e2e "$@"
status=$?
set -e
if [ "$status" -ne 0 ]; then
  say "pytest failed ($status); tauri-driver's log:"
  tail -n 40 "$WORK/tauri-driver.log" >&2 || true
fi
exit "$status"
