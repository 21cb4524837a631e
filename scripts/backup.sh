#!/usr/bin/env bash
# Back up the site's database, named by DATABASE_URL as the site reads it: PostgreSQL,
# or SQLite (the default, db.sqlite3 in the project folder, when DATABASE_URL is unset).
#
#   scripts/backup.sh [FILE]                      # the systemd timer runs this daily
#   DATABASE_URL=postgres://clinic@db.internal:5432/clinic scripts/backup.sh
#
# Writes BACKUP_DIR/clinic-<UTC time>.dump (PostgreSQL: pg_dump's compressed custom
# format) or .sqlite3 (SQLite: a copy made through SQLite's online backup API), readable
# by its owner only in an owner-only folder: it holds patients' contact requests. Both
# are consistent while the site keeps running (pg_dump reads one snapshot; the backup
# API copies committed pages only). Prints the file's name. Restore it with
# scripts/restore.sh. Afterwards, backups in BACKUP_DIR older than BACKUP_KEEP_DAYS
# (default 14) are deleted; an explicit FILE elsewhere is never pruned.
set -euo pipefail
# A FILE given relative to where the command was typed; everything else is relative to
# the project folder, as the site sees it (a relative SQLite path, BACKUP_DIR).
file="${1:+$(realpath -m "$1")}"
cd "$(dirname "$0")/.."

url="${DATABASE_URL:-sqlite:///$PWD/db.sqlite3}"
dir="${BACKUP_DIR:-backups}"
keep_days="${BACKUP_KEEP_DAYS:-14}"
python="${PYTHON:-$(command -v python3)}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
case "$keep_days" in
  ''|*[!0-9]*) echo "backup.sh: BACKUP_KEEP_DAYS must be a whole number of days, not '$keep_days'." >&2; exit 2 ;;
esac

umask 077
case "$url" in
  postgres://*|postgresql://*)
    out="${file:-$dir/clinic-$stamp.dump}"
    mkdir -p "$(dirname "$out")"
    # Written under a temporary name first, so a failed dump never looks like a backup.
    pg_dump --format=custom --compress=6 --no-owner --no-privileges \
      --dbname="$url" --file="$out.partial"
    ;;
  sqlite:///*)
    database="${url#sqlite:///}"
    if [ ! -f "$database" ]; then
      echo "backup.sh: no SQLite database at $database (DATABASE_URL)." >&2
      exit 2
    fi
    out="${file:-$dir/clinic-$stamp.sqlite3}"
    mkdir -p "$(dirname "$out")"
    rm -f "$out.partial"
    "$python" - "$database" "$out.partial" <<'PY'
import sqlite3, sys
source = sqlite3.connect(sys.argv[1], timeout=30)
target = sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)  # the online backup API: a consistent copy, writers carry on
check = target.execute("PRAGMA integrity_check").fetchone()[0]
target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
target.close()
source.close()
if check != "ok":
    sys.exit(f"backup.sh: the copy failed its integrity check: {check}")
PY
    ;;
  *)
    echo "backup.sh: DATABASE_URL must name a PostgreSQL (postgres://...) or SQLite (sqlite:///...) database." >&2
    exit 2
    ;;
esac
chmod 600 "$out.partial"
mv "$out.partial" "$out"

# Only this script's own files in BACKUP_DIR, and only after a backup succeeded.
if [ -z "$file" ]; then
  chmod 700 "$dir"
  find "$dir" -maxdepth 1 -type f \( -name 'clinic-*.dump' -o -name 'clinic-*.sqlite3' \) \
    -mmin +$((keep_days * 24 * 60)) -print -delete >&2
fi
echo "$out"
