#!/usr/bin/env bash
# Runs before `npm test` and `npm run bench` (pretest, prebench): what they need beyond kaiwa's own packages
# is installed when missing, so the README's test command works on a fresh machine after
# its install command. A private PulseAudio with virtual devices (the real SoX tests), tmux
# (the terminal tests), ps (the tests that prove no process is left behind).
set -euo pipefail
cd "$(dirname "$0")/.."
FAIL_PREFIX="kaiwa tests"
# shellcheck source=system-packages.sh
source scripts/system-packages.sh

if command -v apt-get >/dev/null 2>&1; then
  install_packages "${KAIWA_PACKAGES[@]}" pulseaudio tmux procps
  exit 0
fi
# Elsewhere (macOS): name what is missing instead of failing test by test.
missing=()
for command in sox espeak-ng pulseaudio pactl tmux ps; do
  command -v "$command" >/dev/null 2>&1 || missing+=("$command")
done
[ ${#missing[@]} -eq 0 ] || fail "the tests need ${missing[*]}, which are not installed (on macOS: brew install sox espeak-ng pulseaudio tmux)"
