#!/usr/bin/env bash
# Prove that a backup restores: on a PostgreSQL server (default: the local one), create
# a scratch database, migrate it and import the content, back it up with backup.sh,
# restore into a second scratch database with restore.sh, and compare the row count of
# every table. Both scratch databases and the dump are removed afterwards.
#
#   scripts/backup-restore-check.sh            # make backup-restore-check
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

# One line per table: "name count", for every table in the public schema.
row_counts() {
  psql "$server/$1" --no-psqlrc --quiet --tuples-only --no-align --field-separator ' ' --command "
    SELECT table_name,
           (xpath('/row/n/text()', query_to_xml(
              format('SELECT count(*) AS n FROM public.%I', table_name), false, true, '')))[1]::text
    FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
    ORDER BY table_name"
}

sql "CREATE DATABASE ${source_db}" >/dev/null
sql "CREATE DATABASE ${target_db}" >/dev/null

export DEBUG=0 SECRET_KEY="backup-check-$(date +%s%N)-not-a-real-key"
export SITE_URL=https://backup-check.invalid  # required with DEBUG off; no email is sent
DATABASE_URL="$server/$source_db" "$python" manage.py migrate --noinput --verbosity 0
DATABASE_URL="$server/$source_db" "$python" manage.py import_content >/dev/null

DATABASE_URL="$server/$source_db" scripts/backup.sh "$dump" >/dev/null
DATABASE_URL="$server/$target_db" scripts/restore.sh "$dump" >/dev/null

row_counts "$source_db" >"$workdir/source.txt"
row_counts "$target_db" >"$workdir/target.txt"

articles="$(awk '$1 == "articles_article" {print $2}' "$workdir/source.txt")"
if [ -z "$articles" ] || [ "$articles" -eq 0 ]; then
  echo "backup-restore-check: FAILED: the source database has no articles to compare." >&2
  exit 1
fi
if ! diff -u "$workdir/source.txt" "$workdir/target.txt"; then
  echo "backup-restore-check: FAILED: the restored database differs (diff above)." >&2
  exit 1
fi
tables="$(wc -l <"$workdir/source.txt")"
echo "backup-restore-check: OK: $tables tables, same row counts after restore ($articles articles)."
