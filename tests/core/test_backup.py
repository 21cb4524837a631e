"""A PostgreSQL backup restores with every row: `make backup-restore-check`, for real.

Runs scripts/backup-restore-check.sh against the local PostgreSQL server (always there,
locally and on CI): scratch databases, migrate, import content, pg_dump, pg_restore,
compare the row count of every table.
"""

import os
import subprocess

from tests.core.production import BASE_DIR
from tests.services import postgres_server


def run_check(**env):
    return subprocess.run(
        ["scripts/backup-restore-check.sh"],
        cwd=BASE_DIR,
        env={**os.environ, "BACKUP_CHECK_SERVER": postgres_server(), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_backup_restores_into_a_new_database_with_the_same_rows():
    result = run_check()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "backup-restore-check: OK" in result.stdout
    assert "articles" in result.stdout


def test_restore_refuses_to_overwrite_a_database_without_replace(tmp_path):
    result = subprocess.run(
        ["scripts/restore.sh", str(tmp_path / "missing.dump")],
        cwd=BASE_DIR,
        # Refused before any connection is made: no server is needed.
        env={**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/postgres"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert "give the backup file" in result.stderr
