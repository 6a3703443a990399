#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through Playwright (Playwright's own browser download
# is not reachable from here). Install it when missing and we are root; otherwise say what to do.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-chromium.sh: $CHROMIUM is missing and the browser tests need it." >&2
    echo "  Install it as root:  sudo apt-get update && sudo apt-get install -y chromium" >&2
    exit 1
fi

echo "Installing Chromium (apt-get install chromium)…"
export DEBIAN_FRONTEND=noninteractive
# A fresh image often has no package lists yet; update only when the first try cannot find the package.
apt-get install -y chromium >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y chromium >/dev/null; }
[ -x "$CHROMIUM" ] || { echo "ensure-chromium.sh: apt-get did not install $CHROMIUM" >&2; exit 1; }
