#!/usr/bin/env bash
# Redraw the screenshots in docs/contact-requests.md (queue, a request, the dashboard)
# and docs/readership.md (the readership page)
# from the real pages, with the fictional requests of the staff browser tests. The same
# run checks those pages with axe-core, so a screenshot never shows a failing page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-chromium.sh >/dev/null
DOCS_SCREENSHOTS=docs/img .venv/bin/python -m pytest tests/frontend/test_staff_workspace.py \
  -k "wcag and (queue or request or dashboard or readership) and not search" -q
ls -1 docs/img/staff-*.png
