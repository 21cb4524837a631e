#!/usr/bin/env bash
# Set-up for the front-end checks that `make test` runs (browser flows, axe-core, HTML
# validation) and for `make lighthouse`: Debian's chromium, Java for the Nu HTML
# Checker, and the npm tools pinned by tools/package-lock.json. Quick when all is there.
# CI runs as root, so apt-get works as it is; elsewhere it needs passwordless sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM=/usr/bin/chromium

apt_install() {
  local sudo=()
  [[ "$(id -u)" -eq 0 ]] || sudo=(sudo -n)
  export DEBIAN_FRONTEND=noninteractive
  # Another apt-get (a parallel set-up) may hold the lock for a while: wait for it.
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
[[ -x "$CHROMIUM" ]] || missing+=(chromium)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v npm >/dev/null || missing+=(nodejs npm)
# A font for chromium to draw text with (screenshots, Lighthouse's layout metrics).
fc-list 2>/dev/null | grep -q . || missing+=(fonts-dejavu-core)
if ((${#missing[@]})); then
  echo "ensure-chromium: installing ${missing[*]} from Debian"
  apt_install "${missing[@]}"
fi
"$CHROMIUM" --version 2>/dev/null  # its wrapper script complains harmlessly on stderr

# The npm tools, exactly as tools/package-lock.json pins them: the tests need axe-core
# alone (one package, a second); `--with-lighthouse` (make lighthouse) adds Lighthouse
# and its 200 packages, which took CI's set-up 8 s of CPU for nothing.
omit=(--omit=dev)
wanted=tools/node_modules/axe-core/axe.min.js
if [[ "${1-}" == --with-lighthouse ]]; then
  omit=()
  wanted=tools/node_modules/.bin/lighthouse
fi
if [[ ! -e "$wanted" ]] || [[ tools/package-lock.json -nt tools/node_modules/.package-lock.json ]]; then
  npm ci --prefix tools "${omit[@]}" --no-audit --no-fund --loglevel=error
fi
