#!/usr/bin/env bash
# Set-up for the front-end checks that `make test` runs (browser flows, axe-core,
# HTML validation): Debian's chromium and the pinned npm tools. Idempotent and quick
# when everything is already there. CI runs as root, so apt-get works as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM=/usr/bin/chromium

if [[ ! -x "$CHROMIUM" ]]; then
  echo "ensure-chromium: installing Debian's chromium (Playwright uses $CHROMIUM)"
  export DEBIAN_FRONTEND=noninteractive
  # Another apt-get may hold the lock for a while (a parallel set-up); wait for it.
  apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }
  if [[ "$(id -u)" -eq 0 ]]; then
    apt_get update -qq
    apt_get install -y -qq --no-install-recommends chromium >/dev/null
  else
    sudo -n apt-get -o DPkg::Lock::Timeout=600 update -qq
    sudo -n apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium >/dev/null
  fi
fi
"$CHROMIUM" --version

# axe-core (and Lighthouse), exactly as tools/package-lock.json pins them.
if [[ ! -f tools/node_modules/axe-core/axe.min.js ]] \
  || [[ tools/package-lock.json -nt tools/node_modules/.package-lock.json ]]; then
  npm ci --prefix tools --no-audit --no-fund --loglevel=error
fi
