# Sourced by install.sh and test-packages.sh: installs the Debian/Ubuntu packages that are
# missing, as root or through sudo (a root container has no sudo; a user's machine has).
# Callers set FAIL_PREFIX (the words before each line this prints).

# What kaiwa itself runs: SoX for the devices, the offline server's voice and recognizer,
# and pactl for the echo guard's PulseAudio canceller.
KAIWA_PACKAGES=(sox libsox-fmt-all espeak-ng pocketsphinx pocketsphinx-en-us python3-pocketsphinx pulseaudio-utils)

fail() { echo "${FAIL_PREFIX:-kaiwa}: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing_packages() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || echo "$package"
  done
}

# Only what is missing, so a second run (or `npm test` after the install) touches nothing.
install_packages() {
  local missing
  missing=$(missing_packages "$@" | tr '\n' ' ')
  missing=${missing% }
  [ -n "$missing" ] || return 0
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    fail "run this as root, or install sudo: it needs to install $missing"
  fi
  echo "${FAIL_PREFIX:-kaiwa}: installing $missing" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
