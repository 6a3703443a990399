#!/usr/bin/env bash
# The Debian programs the tests drive: Chromium for the browser tests (Playwright's own browser download
# is not reachable from here) and pdftotext (poppler-utils) to read the PDF reports back. Install what
# is missing when we are root; otherwise say what to do.
set -euo pipefail

# program → package
declare -A NEEDED=([/usr/bin/chromium]=chromium [/usr/bin/pdftotext]=poppler-utils)

missing=()
for program in "${!NEEDED[@]}"; do
    [ -x "$program" ] || missing+=("${NEEDED[$program]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-test-tools.sh: the tests need ${missing[*]}." >&2
    echo "  Install as root:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "Installing ${missing[*]} (apt-get install)…"
export DEBIAN_FRONTEND=noninteractive
# A fresh image often has no package lists yet; update only when the first try cannot find a package.
apt-get install -y "${missing[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; }
for program in "${!NEEDED[@]}"; do
    [ -x "$program" ] || { echo "ensure-test-tools.sh: apt-get did not install $program" >&2; exit 1; }
done
