"""`make chaos`'s own fault injection does what the report claims."""

import sqlite3
import subprocess
import sys
import time
from contextlib import closing

import pytest

from bench.chaos import DatabaseCut, task_worker_pids


def test_a_database_cut_on_sqlite_refuses_writes_until_it_ends(tmp_path):
    path = tmp_path / "cut.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (x)")
        db.commit()
    cut = DatabaseCut(f"sqlite:///{path}")

    cut.start()
    try:
        with closing(sqlite3.connect(path, timeout=0.1)) as writer:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                writer.execute("INSERT INTO t VALUES (1)")
            assert writer.execute("SELECT COUNT(*) FROM t").fetchone() == (0,)  # reads go on
    finally:
        cut.stop()

    with closing(sqlite3.connect(path, timeout=0.1)) as writer:
        writer.execute("INSERT INTO t VALUES (1)")
        writer.commit()


def test_the_task_worker_is_found_under_keep_running_and_alone():
    alone = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "manage.py"])
    supervised = subprocess.Popen(
        [
            "scripts/keep-running.sh",
            sys.executable,
            "-c",
            "import time; time.sleep(30)",
            "manage.py",
        ]
    )
    try:
        assert task_worker_pids(alone) == [alone.pid]
        for _ in range(50):  # started, and running its child (not still being exec'd)
            found = task_worker_pids(supervised)
            if found and found != [supervised.pid]:
                break
            time.sleep(0.1)
        assert found and supervised.pid not in found  # the worker, never the supervisor
    finally:
        alone.kill()
        supervised.terminate()
        alone.wait()
        supervised.wait(timeout=10)
