#!/usr/bin/env bash
# Installs what kaiwa needs on Debian or Ubuntu and builds it: the system packages (with sudo
# only when not already root), then the npm dependencies. Run from a clone of the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

FAIL_PREFIX="kaiwa install"
# shellcheck source=system-packages.sh
source scripts/system-packages.sh

command -v apt-get >/dev/null 2>&1 || fail "no apt-get here; on macOS run: brew install node sox espeak-ng cmu-pocketsphinx && npm ci && npm run build"
command -v node >/dev/null 2>&1 || fail "Node.js 20 or newer is needed (https://nodejs.org, or your distribution's nodejs package)"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || fail "Node.js $(node --version) is too old: kaiwa needs 20 or newer"

install_packages "${KAIWA_PACKAGES[@]}"
npm ci --no-audit --no-fund
npm run build
