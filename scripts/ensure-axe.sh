#!/usr/bin/env bash
# The journeys (tests/journeys/) run axe-core in the browser. Fetch the pinned release from npm
# (`npm pack`, which checks the registry's integrity hash) into .cache/axe-core/ once; the tests read
# .cache/axe-core/package/axe.min.js. axe-core is MPL-2.0 and is not committed or shipped with the site.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VERSION=4.10.3
DIR=.cache/axe-core
JS="$DIR/package/axe.min.js"

if [ -f "$JS" ] && [ "$(cat "$DIR/VERSION" 2>/dev/null)" = "$VERSION" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "ensure-axe.sh: npm is missing and the journeys need axe-core from it." >&2
        echo "  Install it as root:  sudo apt-get update && sudo apt-get install -y npm" >&2
        exit 1
    fi
    echo "Installing npm (apt-get install npm)…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y npm >/dev/null ||
        { apt-get update -q >/dev/null && apt-get install -y npm >/dev/null; }
fi

echo "Fetching axe-core $VERSION (npm pack)…"
rm -rf "$DIR" && mkdir -p "$DIR"
tarball=$(cd "$DIR" && npm pack --silent "axe-core@$VERSION")
tar -xzf "$DIR/$tarball" -C "$DIR" package/axe.min.js package/LICENSE package/package.json
rm "$DIR/$tarball"
echo "$VERSION" >"$DIR/VERSION"
[ -f "$JS" ] || { echo "ensure-axe.sh: npm pack did not give $JS" >&2; exit 1; }
