"""Backups restore with every row, on PostgreSQL and SQLite: `make backup-restore-check`.

Runs scripts/backup-restore-check.sh against the local PostgreSQL server (always there,
locally and on CI): scratch databases, migrate, import content, pg_dump, pg_restore,
compare the row count of every table; and the same for SQLite through its online backup
API. Then backup.sh's pruning and file modes, and restore.sh's refusal to overwrite.
"""

import contextlib
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

from tests.core.production import BASE_DIR
from tests.services import postgres_server


def run_check(**env):
    return subprocess.run(
        ["scripts/backup-restore-check.sh", "postgres"],
        cwd=BASE_DIR,
        env={**os.environ, "BACKUP_CHECK_SERVER": postgres_server(), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_backup_restores_into_a_new_database_with_the_same_rows():
    result = run_check()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "backup-restore-check: OK (PostgreSQL)" in result.stdout
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


# --- SQLite, the default database ------------------------------------------------------


def run_script(*args, env, cwd=BASE_DIR):
    return subprocess.run(
        [str(BASE_DIR / "scripts" / args[0]), *args[1:]],
        cwd=cwd,
        env={**os.environ, "PYTHON": sys.executable, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def small_database(path):
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE intake_contactrequest (id INTEGER PRIMARY KEY, name TEXT)")
        db.executemany(
            "INSERT INTO intake_contactrequest (name) VALUES (?)", [("A",), ("B",), ("C",)]
        )


def test_a_sqlite_backup_made_while_a_write_is_open_restores_with_every_row():
    result = subprocess.run(
        ["scripts/backup-restore-check.sh", "sqlite"],
        cwd=BASE_DIR,
        env={**os.environ, "PYTHON_BIN": sys.executable},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "backup-restore-check: OK (SQLite)" in result.stdout
    assert "PostgreSQL" not in result.stdout


def test_backups_are_owner_only_and_older_ones_are_pruned_after_backup_keep_days(tmp_path):
    database = tmp_path / "site.sqlite3"
    small_database(database)
    folder = tmp_path / "backups"
    folder.mkdir()
    day = 24 * 60 * 60
    files = {
        "clinic-20261101T031500Z.sqlite3": 15,  # older than the 14 days kept
        "clinic-20261101T031500Z.dump": 15,
        "clinic-20261119T031500Z.sqlite3": 13,
        "notes.txt": 30,  # not a backup: never touched
    }
    for name, age in files.items():
        (folder / name).write_text("old")
        os.utime(folder / name, (time.time() - age * day, time.time() - age * day))

    result = run_script(
        "backup.sh",
        env={
            "DATABASE_URL": f"sqlite:///{database}",
            "BACKUP_DIR": str(folder),
            "BACKUP_KEEP_DAYS": "14",
        },
    )

    assert result.returncode == 0, result.stderr
    made = Path(result.stdout.strip())
    assert made.parent == folder and made.name.endswith(".sqlite3")
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [made.name, "clinic-20261119T031500Z.sqlite3", "notes.txt"]
    )
    with contextlib.closing(sqlite3.connect(made)) as db:
        assert db.execute("SELECT count(*) FROM intake_contactrequest").fetchone()[0] == 3


def test_a_sqlite_restore_refuses_an_existing_database_without_replace(tmp_path):
    database = tmp_path / "site.sqlite3"
    small_database(database)
    backup = tmp_path / "copy.sqlite3"
    made = run_script("backup.sh", str(backup), env={"DATABASE_URL": f"sqlite:///{database}"})
    assert made.returncode == 0, made.stderr
    with contextlib.closing(sqlite3.connect(database)) as db, db:
        db.execute("DELETE FROM intake_contactrequest")
    env = {"DATABASE_URL": f"sqlite:///{database}"}

    refused = run_script("restore.sh", str(backup), env=env)
    assert refused.returncode == 3 and "--replace" in refused.stderr

    replaced = run_script("restore.sh", str(backup), "--replace", env=env)
    assert replaced.returncode == 0, replaced.stderr
    with contextlib.closing(sqlite3.connect(database)) as db:
        assert db.execute("SELECT count(*) FROM intake_contactrequest").fetchone()[0] == 3
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_backups_are_ignored_by_git():
    result = subprocess.run(
        ["git", "check-ignore", "--quiet", "backups/clinic-20261122T031500Z.sqlite3"],
        cwd=BASE_DIR,
        capture_output=True,
        timeout=30,
    )
    assert result.returncode == 0
