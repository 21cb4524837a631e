#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database named by DATABASE_URL
# (as the site reads it: unset means SQLite's db.sqlite3 in the project folder).
#
#   DATABASE_URL=postgres://clinic@db.internal:5432/clinic scripts/restore.sh FILE [--replace]
#   scripts/restore.sh backups/clinic-20261122T031500Z.sqlite3 [--replace]
#
# A PostgreSQL backup (.dump) goes into a PostgreSQL database, a SQLite one (.sqlite3)
# into a SQLite file. Into an empty database (PostgreSQL: create it first, createdb
# clinic; SQLite: a file that does not exist yet) it restores as is. A database that
# already holds the site is only overwritten with --replace. Either way it is all or
# nothing: PostgreSQL restores in one transaction, SQLite through its backup API into
# the file. Stop the app hosts first, and run `manage.py migrate` afterwards if the code
# is newer than the backup.
set -euo pipefail

file="${1:+$(realpath -m "$1")}"
mode="${2:-}"
if [ -z "$file" ] || [ ! -f "$file" ]; then
  echo "restore.sh: give the backup file to restore (made by scripts/backup.sh)." >&2
  exit 2
fi
cd "$(dirname "$0")/.."
url="${DATABASE_URL:-sqlite:///$PWD/db.sqlite3}"
python="${PYTHON:-$(command -v python3)}"

if [ "$(head -c 15 "$file" | tr -d '\000')" = "SQLite format 3" ]; then
  case "$url" in
    sqlite:///*) ;;
    *) echo "restore.sh: $file is a SQLite backup; DATABASE_URL names no SQLite database." >&2; exit 2 ;;
  esac
  database="${url#sqlite:///}"
  if [ -s "$database" ] && [ "$mode" != "--replace" ]; then
    echo "restore.sh: the target database $database already exists." >&2
    echo "Restore into a new file, or add --replace to overwrite it." >&2
    exit 3
  fi
  umask 077  # it holds contact requests
  "$python" - "$file" "$database" <<'PY'
import os, sqlite3, sys
source = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
    sys.exit("restore.sh: the backup file is damaged (integrity check failed); nothing changed.")
target = sqlite3.connect(sys.argv[2], timeout=30)
# Page by page under the target's own lock: a reader never sees half of it, and an
# error leaves the old contents. WAL, as the site runs it (settings.py).
source.backup(target)
target.execute("PRAGMA journal_mode=WAL")
target.close()
source.close()
os.chmod(sys.argv[2], 0o600)
PY
  echo "Restored $file."
  exit 0
fi

case "$url" in
  postgres://*|postgresql://*) ;;
  *) echo "restore.sh: $file is a PostgreSQL backup: set DATABASE_URL to the PostgreSQL database to restore into." >&2; exit 2 ;;
esac

has_tables="$(psql "$url" --no-psqlrc --tuples-only --no-align --quiet \
  --command "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")"
options=(--no-owner --no-privileges --single-transaction --exit-on-error)
if [ "$has_tables" != "0" ]; then
  if [ "$mode" != "--replace" ]; then
    echo "restore.sh: the target database is not empty ($has_tables tables)." >&2
    echo "Restore into a new database, or add --replace to overwrite it." >&2
    exit 3
  fi
  options+=(--clean --if-exists)
fi
pg_restore "${options[@]}" --dbname="$url" "$file"
echo "Restored $file."
