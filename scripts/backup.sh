#!/usr/bin/env bash
# Back up the PostgreSQL database named by DATABASE_URL.
#
#   DATABASE_URL=postgres://clinic@db.internal:5432/clinic scripts/backup.sh [FILE]
#
# Writes a compressed pg_dump custom-format file (default backups/clinic-<UTC time>.dump,
# readable by its owner only: it holds patients' contact requests), and prints its name.
# Restore it with scripts/restore.sh. The dump is consistent: pg_dump reads one snapshot
# while the site keeps running.
set -euo pipefail

url="${DATABASE_URL:-}"
case "$url" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh: set DATABASE_URL to the PostgreSQL database to back up (postgres://...)." >&2; exit 2 ;;
esac

out="${1:-backups/clinic-$(date -u +%Y%m%dT%H%M%SZ).dump}"
umask 077
mkdir -p "$(dirname "$out")"
# Written under a temporary name first, so a failed dump never looks like a backup.
pg_dump --format=custom --compress=6 --no-owner --no-privileges \
  --dbname="$url" --file="$out.partial"
mv "$out.partial" "$out"
echo "$out"
