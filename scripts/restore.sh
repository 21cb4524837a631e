#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database named by DATABASE_URL.
#
#   DATABASE_URL=postgres://clinic@db.internal:5432/clinic scripts/restore.sh FILE [--replace]
#
# Into an empty database (create it first: createdb clinic) it restores as is. A database
# that already holds the site is only overwritten with --replace, which drops each table
# the backup contains before restoring it. Either way it runs in one transaction: on any
# error nothing is changed. Stop the app hosts first, and run `manage.py migrate`
# afterwards if the code is newer than the backup.
set -euo pipefail

file="${1:-}"
mode="${2:-}"
url="${DATABASE_URL:-}"
if [ -z "$file" ] || [ ! -f "$file" ]; then
  echo "restore.sh: give the backup file to restore (made by scripts/backup.sh)." >&2
  exit 2
fi
case "$url" in
  postgres://*|postgresql://*) ;;
  *) echo "restore.sh: set DATABASE_URL to the PostgreSQL database to restore into." >&2; exit 2 ;;
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
