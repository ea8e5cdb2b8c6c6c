#!/usr/bin/env bash
# Makes sure the Debian Chromium the dashboard's browser tests drive (through playwright-core) is
# installed at /usr/bin/chromium. We never download a browser of playwright's own: when the
# package is missing and we are root with apt-get, it is installed from the distribution;
# otherwise this fails, saying what is missing and how to get it (the tests never skip silently).
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and this script can only install it as root with apt-get." >&2
  echo "  Install it yourself: sudo apt-get update && sudo apt-get install -y chromium" >&2
  echo "  (or set CHROMIUM_PATH to a Chromium executable), then run npm test again." >&2
  exit 1
fi

install() {
  # Another npm test on this machine may be installing it right now: check again under the lock.
  if [ -x "$CHROMIUM" ]; then return 0; fi
  echo "ensure-chromium: $CHROMIUM is missing; installing Debian's chromium with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
}

if command -v flock >/dev/null 2>&1; then
  exec 9>/tmp/nestjs-aioclock-ensure-chromium.lock
  flock 9
fi
install

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing; install the chromium package by hand." >&2
  exit 1
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed" >&2
