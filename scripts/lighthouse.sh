#!/usr/bin/env bash
# Lighthouse scores for the home page, an article and the contact form, in English and in
# Spanish, with Lighthouse's
# default mobile emulation (a mid-range phone on a throttled 4G connection, simulated).
#
# The site runs as in production: DEBUG off, gunicorn, static files collected and served
# compressed by WhiteNoise, a fresh SQLite database with the shipped articles. Only TLS
# is missing (no proxy here): plain HTTP on localhost, which browsers and Lighthouse
# treat as a secure origin.
#
# Each page is measured RUNS times (default 3); the run with the median performance
# score is reported. Writes docs/lighthouse.md; full HTML and JSON reports go to
# test-artifacts/lighthouse/ (git-ignored). Usage: make lighthouse
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${LIGHTHOUSE_PORT:-8151}"
RUNS="${RUNS:-3}"
PAGES=(/ /articles/how-ketamine-infusion-works/ /contact/ /es/ /es/articles/como-funciona-la-infusion-de-ketamina/ /es/contact/)
BASE="http://localhost:${PORT}"
OUT=test-artifacts/lighthouse
CHROME_FLAGS="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"

bash scripts/ensure-chromium.sh --with-lighthouse >/dev/null

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

export DEBUG=0
export SECRET_KEY="lighthouse-only-$(date +%s%N)-never-used-for-real"
export DATABASE_URL="sqlite:///${work}/db.sqlite3"
export MEDIA_ROOT="${work}/media"
export ALLOWED_HOSTS=localhost,127.0.0.1
export SITE_URL=https://localhost  # production refuses to start without an https one
export SECURE_SSL_REDIRECT=0 TRUST_X_FORWARDED_PROTO=0 HSTS_SECONDS=0
export LOG_LEVEL=WARNING

echo "lighthouse: preparing a production-like site on ${BASE}"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py import_content >/dev/null
PORT="$PORT" WEB_CONCURRENCY=2 .venv/bin/gunicorn --config gunicorn.conf.py >"${work}/gunicorn.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  curl -sf -o /dev/null "http://127.0.0.1:${PORT}/healthz" && break
  sleep 0.2
done
curl -sf -o /dev/null "http://127.0.0.1:${PORT}/healthz" || { cat "${work}/gunicorn.log"; exit 1; }

rm -rf "$OUT" && mkdir -p "$OUT"
for path in "${PAGES[@]}"; do
  name="$(echo "$path" | tr -cs 'a-z0-9' '-' | sed 's/^-*//; s/-*$//')"
  name="${name:-home}"
  for run in $(seq "$RUNS"); do
    echo "lighthouse: ${path} (run ${run} of ${RUNS})"
    # Lighthouse now and then fails to record a trace (NO_NAVSTART) on a busy machine:
    # a failed run is tried again, up to three times, and never counted as a score.
    for attempt in 1 2 3; do
      if CHROME_PATH=/usr/bin/chromium tools/node_modules/.bin/lighthouse "${BASE}${path}" \
        --chrome-flags="${CHROME_FLAGS}" \
        --only-categories=performance,accessibility,best-practices,seo \
        --output=json --output=html --output-path="${OUT}/${name}-${run}" --quiet; then
        break
      fi
      [[ "$attempt" == 3 ]] && { echo "lighthouse: ${path} failed three times" >&2; exit 1; }
      echo "lighthouse: ${path}: trying again"
    done
  done
done

# The report: the median run of each page, its four scores and its main metrics.
CHROMIUM_VERSION="$(/usr/bin/chromium --version 2>/dev/null)" \
.venv/bin/python - "$OUT" "$RUNS" "$CHROME_FLAGS" "${PAGES[@]}" >docs/lighthouse.md <<'PY'
import json
import os
import re
import sys
from datetime import date
from pathlib import Path

out, runs, chrome_flags, *paths = sys.argv[1:]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
METRICS = [
    ("first-contentful-paint", "FCP"),
    ("largest-contentful-paint", "LCP"),
    ("total-blocking-time", "TBT"),
    ("cumulative-layout-shift", "CLS"),
    ("speed-index", "Speed Index"),
]


def name_of(path):
    return re.sub(r"[^a-z0-9]+", "-", path).strip("-") or "home"


def score(report, category):
    return round(report["categories"][category]["score"] * 100)


rows, metric_rows, shortfalls, reports = [], [], [], []
for path in paths:
    runs_of_page = [
        json.loads(Path(out, f"{name_of(path)}-{n}.report.json").read_text())
        for n in range(1, int(runs) + 1)
    ]
    runs_of_page.sort(key=lambda report: report["categories"]["performance"]["score"])
    median = runs_of_page[len(runs_of_page) // 2]
    reports.append(median)
    performance = [score(report, "performance") for report in runs_of_page]
    rows.append(
        f"| `{path}` | "
        + " | ".join(str(score(median, c)) for c in CATEGORIES)
        + f" | {min(performance)}–{max(performance)} |"
    )
    audits = median["audits"]
    metric_rows.append(
        f"| `{path}` | " + " | ".join(audits[key]["displayValue"] for key, _ in METRICS) + " |"
    )
    for category in CATEGORIES:
        for ref in median["categories"][category]["auditRefs"]:
            audit = audits[ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                shortfalls.append(f"- `{path}`, {category}: {audit['title']} ({audit['score']})")

first = reports[0]
chromium = os.environ["CHROMIUM_VERSION"].split(" built")[0]
print(f"""# Lighthouse scores

Written by `make lighthouse` on {date.today().isoformat()}: Lighthouse {first["lighthouseVersion"]},
{chromium} (Debian's), Lighthouse's default **mobile emulation** (a mid-range
phone, simulated slow 4G, 4x CPU slowdown).

The site ran as in production (DEBUG off, gunicorn, WhiteNoise serving the collected,
compressed static files) over plain HTTP on localhost, which browsers and Lighthouse
treat as a secure origin; in production the TLS proxy in front adds HTTPS. Each page was
measured {runs} times: the table shows the run with the median performance score, and
the range of performance scores over all runs.

| Page | Performance | Accessibility | Best practices | SEO | Performance over {runs} runs |
| --- | --- | --- | --- | --- | --- |""")
print("\n".join(rows))
print("""
Main metrics of those runs:

| Page | """ + " | ".join(label for _, label in METRICS) + """ |
| --- | """ + " | ".join("---" for _ in METRICS) + " |")
print("\n".join(metric_rows))
print("""
Audits that counted towards a score and did not fully pass:
""")
print("\n".join(shortfalls) or "- none")
print("""
The pages run no JavaScript (the only scripts are JSON-LD data blocks), so any Total
Blocking Time is the browser's own style, layout and parsing work, multiplied by the
4x CPU slowdown; it varies with the load on the (2-core) machine that measured it.""")
print(f"""
## How to reproduce

```sh
make lighthouse          # RUNS=5 make lighthouse for more runs per page
```

`scripts/lighthouse.sh` prepares the site (migrate, collectstatic, import_content into a
throwaway SQLite database), starts gunicorn on localhost, and for each page runs:

```sh
CHROME_PATH=/usr/bin/chromium tools/node_modules/.bin/lighthouse http://localhost:8151/PAGE \\
  --chrome-flags="{chrome_flags}" \\
  --only-categories=performance,accessibility,best-practices,seo \\
  --output=json --output=html --output-path=test-artifacts/lighthouse/NAME-RUN --quiet
```

The full reports are left in `test-artifacts/lighthouse/` (git-ignored). Lighthouse is
pinned in `tools/package-lock.json` (12.x: version 13 needs Node 22).""")
PY
cat docs/lighthouse.md
