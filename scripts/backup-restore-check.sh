#!/usr/bin/env bash
# Prove that backups restore, for both databases the site runs on, with backup.sh and
# restore.sh as an operator would use them:
#  - SQLite: a scratch database file, migrated and with the content imported, backed up
#    while another connection holds a write open (the online backup copies only what
#    was committed), restored into a new file; every table's row count compared, and
#    both files owner-only.
#  - PostgreSQL (default: the local server): the same with two scratch databases.
# Everything scratch is removed afterwards.
#
#   scripts/backup-restore-check.sh            # make backup-restore-check: both
#   scripts/backup-restore-check.sh sqlite     # or only one: sqlite, postgres
#   BACKUP_CHECK_SERVER=postgres://postgres@db.internal:5432 scripts/backup-restore-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."

server="${BACKUP_CHECK_SERVER:-postgres://postgres@127.0.0.1:5432}"
server="${server%/}"
python="${PYTHON_BIN:-.venv/bin/python}"
suffix="$$_$(date +%s)"
source_db="clinic_backup_check_src_${suffix}"
target_db="clinic_backup_check_dst_${suffix}"
workdir="$(mktemp -d)"
dump="$workdir/check.dump"

sql() { psql "$server/postgres" --no-psqlrc --quiet --tuples-only --no-align --command "$1"; }
cleanup() {
  sql "DROP DATABASE IF EXISTS ${source_db} WITH (FORCE)" >/dev/null 2>&1 || true
  sql "DROP DATABASE IF EXISTS ${target_db} WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT
which="${1:-both}"
case "$which" in
  both|sqlite|postgres) ;;
  *) echo "backup-restore-check: say sqlite, postgres, or nothing for both." >&2; exit 2 ;;
esac
export DEBUG=0 SECRET_KEY="backup-check-$(date +%s%N)-not-a-real-key"
export SITE_URL=https://backup-check.invalid  # required with DEBUG off; no email is sent

# One line per table, "name count", in a SQLite file.
sqlite_row_counts() {
  "$python" - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
names = [row[0] for row in db.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
for name in names:
    print(name, db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
PY
}

# One line per table, "name count", for every table in the public schema.
row_counts() {
  psql "$server/$1" --no-psqlrc --quiet --tuples-only --no-align --field-separator ' ' --command "
    SELECT table_name,
           (xpath('/row/n/text()', query_to_xml(
              format('SELECT count(*) AS n FROM public.%I', table_name), false, true, '')))[1]::text
    FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
    ORDER BY table_name"
}

compare() {  # engine, source counts, target counts
  local articles tables
  articles="$(awk '$1 == "articles_article" {print $2}' "$2")"
  if [ -z "$articles" ] || [ "$articles" -eq 0 ]; then
    echo "backup-restore-check: FAILED ($1): the source database has no articles to compare." >&2
    exit 1
  fi
  if ! diff -u "$2" "$3"; then
    echo "backup-restore-check: FAILED ($1): the restored database differs (diff above)." >&2
    exit 1
  fi
  tables="$(wc -l <"$2")"
  echo "backup-restore-check: OK ($1): $tables tables, same row counts after restore ($articles articles)."
}

if [ "$which" != postgres ]; then
  source_file="$workdir/source.sqlite3"
  target_file="$workdir/restored.sqlite3"
  DATABASE_URL="sqlite:///$source_file" "$python" manage.py migrate --noinput --verbosity 0
  DATABASE_URL="sqlite:///$source_file" "$python" manage.py import_content >/dev/null
  sqlite_row_counts "$source_file" >"$workdir/sqlite-source.txt"
  # A writer in the middle of a transaction while the backup runs: what it changed must
  # not be in the backup, and it must not hold the backup up.
  "$python" - "$source_file" "$workdir/writer.ready" <<'PY' &
import pathlib, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE articles_article SET title = 'uncommitted'")
db.execute("DELETE FROM articles_article WHERE id = (SELECT min(id) FROM articles_article)")
pathlib.Path(sys.argv[2]).touch()
time.sleep(3)
db.execute("ROLLBACK")
PY
  writer=$!
  while [ ! -e "$workdir/writer.ready" ]; do sleep 0.05; done
  backup="$(DATABASE_URL="sqlite:///$source_file" BACKUP_DIR="$workdir/backups" PYTHON="$python" scripts/backup.sh)"
  wait "$writer"
  DATABASE_URL="sqlite:///$target_file" PYTHON="$python" scripts/restore.sh "$backup" >/dev/null
  sqlite_row_counts "$target_file" >"$workdir/sqlite-target.txt"
  for file in "$backup" "$target_file" "$workdir/backups"; do
    mode="$(stat -c %a "$file")"
    case "$mode" in
      600|700) ;;
      *) echo "backup-restore-check: FAILED (SQLite): $file is mode $mode, not owner-only." >&2; exit 1 ;;
    esac
  done
  uncommitted="$("$python" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM articles_article WHERE title = ?", ("uncommitted",)).fetchone()[0])' "$target_file")"
  if [ "$uncommitted" != 0 ]; then
    echo "backup-restore-check: FAILED (SQLite): the backup holds an uncommitted write." >&2
    exit 1
  fi
  compare SQLite "$workdir/sqlite-source.txt" "$workdir/sqlite-target.txt"
fi
[ "$which" = sqlite ] && exit 0

sql "CREATE DATABASE ${source_db}" >/dev/null
sql "CREATE DATABASE ${target_db}" >/dev/null

DATABASE_URL="$server/$source_db" "$python" manage.py migrate --noinput --verbosity 0
DATABASE_URL="$server/$source_db" "$python" manage.py import_content >/dev/null

DATABASE_URL="$server/$source_db" scripts/backup.sh "$dump" >/dev/null
DATABASE_URL="$server/$target_db" scripts/restore.sh "$dump" >/dev/null

row_counts "$source_db" >"$workdir/source.txt"
row_counts "$target_db" >"$workdir/target.txt"
compare PostgreSQL "$workdir/source.txt" "$workdir/target.txt"
