#!/usr/bin/env bash
# Set-up for the tests that run the shipped deployment files for real (`make test` runs
# this, as it runs ensure-chromium.sh): Debian's nginx for tests/core/test_nginx.py,
# systemd-analyze for tests/core/test_deploy.py, openssl for a test certificate. Quick
# when all is there. CI runs as root, so apt-get works as it is; elsewhere it needs
# passwordless sudo, and without it the tests skip naming what is missing (or fail,
# under REQUIRE_SERVICES=1).
set -euo pipefail

missing=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v systemd-analyze >/dev/null || missing+=(systemd)
command -v openssl >/dev/null || missing+=(openssl)
((${#missing[@]})) || exit 0

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
  # A laptop without passwordless sudo: the tests that need these skip, naming them.
  sudo -n true 2>/dev/null || { echo "ensure-server-packages: ${missing[*]} missing, and no passwordless sudo to install them: their tests will skip" >&2; exit 0; }
  sudo=(sudo -n)
fi
echo "ensure-server-packages: installing ${missing[*]} from Debian"
# RUNLEVEL=1: the package's scripts install nginx without starting it (it would listen
# on port 80); the tests start their own, on free loopback ports.
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
