#!/usr/bin/env bash
# Check every locked dependency against PyPI's vulnerability data (pip-audit).
#
# Exits non-zero when a vulnerability is known *and* when any package could not be
# checked: an audit that saw nothing is not a clean audit.
set -uo pipefail
cd "$(dirname "$0")/.."
lock="${1:-requirements.lock}"
bin="${VENV_BIN:-.venv/bin}"

if [ ! -s "$lock" ]; then
  echo "audit: $lock is missing or empty; write it with 'make lock'." >&2
  exit 2
fi

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
# --no-deps/--disable-pip: the lock already pins every package, so nothing is installed
# or resolved; --strict: a package that cannot be looked up fails the audit.
"$bin/pip-audit" --strict --no-deps --disable-pip --progress-spinner off -r "$lock" >"$out" 2>&1
status=$?
grep -v -e '--no-deps is supported' -e 'pip-compile' "$out"
if [ "$status" -ne 0 ] && grep -q "could not be audited" "$out"; then
  cat >&2 <<'MSG'

audit: FAILED, NOT AUDITED. pip-audit could not fetch vulnerability data for the
packages above from PyPI's JSON API (https://pypi.org/pypi/<name>/<version>/json).
This network reaches only a package mirror, not that API; run `make audit` where
pypi.org is reachable (or set PIP_AUDIT_VULNERABILITY_SERVICE=osv with api.osv.dev
reachable). See docs/deployment.md, "Dependency audit".
MSG
fi
exit "$status"
