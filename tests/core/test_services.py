"""Without PostgreSQL or Redis the suite still passes, skipping what needs them with a
reason; under REQUIRE_SERVICES=1 (.ci/run) such a skip is a failure instead."""

import os
import subprocess
import sys

from tests.core.production import BASE_DIR

NEEDS_SERVICES = [
    "tests/core/test_redis.py",
    "tests/core/test_backup.py::test_a_backup_restores_into_a_new_database_with_the_same_rows",
    "tests/core/test_healthz.py::test_up_with_a_working_redis",
]
NOTHING_LISTENS = {
    "TEST_POSTGRES_URL": "postgres://postgres@127.0.0.1:9",
    "TEST_REDIS_URL": "redis://127.0.0.1:9/0",
}


def run_suite(**env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DATABASE_URL", "REQUIRE_SERVICES")
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *NEEDS_SERVICES],
        cwd=BASE_DIR,
        env={**environment, **NOTHING_LISTENS, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_tests_that_need_a_missing_service_skip_with_a_reason_naming_it():
    result = run_suite()

    assert result.returncode == 0, result.stdout[-3000:]
    assert "failed" not in result.stdout and "error" not in result.stdout.lower()
    assert "needs Redis, and nothing answers at 127.0.0.1:9" in result.stdout
    assert "needs PostgreSQL, and nothing answers at 127.0.0.1:9" in result.stdout


def test_under_require_services_a_missing_service_fails_the_run():
    result = run_suite(REQUIRE_SERVICES="1")

    assert result.returncode == 1
    assert "REQUIRE_SERVICES=1: a missing service fails the run" in result.stdout
    assert "skipped" not in result.stdout.splitlines()[-1]
