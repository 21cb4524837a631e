"""PostgreSQL and Redis for the tests that need a real one.

On a laptop with only Python these tests skip, with a reason naming the missing
service. `.ci/run` sets REQUIRE_SERVICES=1, under which a missing service fails the
test instead, so CI can never pass them silently.
"""

import contextlib
import os
import socket
import uuid
from urllib.parse import urlparse

import pytest


def redis_url_for_this_worker(url: str) -> str:
    """``url`` with a Redis database number of this pytest-xdist worker's own.

    Worker gw0 keeps the number, gw1 takes the one below it, and so on (modulo Redis's
    16 databases), so parallel workers never empty each other's database: the same rule
    clinic_site/settings_test.py applies to REDIS_URL.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    parsed = urlparse(url)
    number = int(parsed.path.strip("/") or 0)
    offset = int(worker.removeprefix("gw") or 0)
    return parsed._replace(path=f"/{(number - offset) % 16}").geturl()


# Where the local services are looked for (CI and the dev machines run both here).
POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_SERVER = redis_url_for_this_worker(
    os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
)


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or default_port), 1):
            return True
    except OSError:
        return False


def _missing(service: str, url: str):
    parsed = urlparse(url)
    missing(f"needs {service}, and nothing answers at {parsed.hostname}:{parsed.port}")


def missing(reason: str):
    """Skip the test for a missing service, or fail it under REQUIRE_SERVICES=1."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1: a missing service fails the run)")
    pytest.skip(reason)


def postgres_server() -> str:
    """The PostgreSQL server's URL without a database name, or skip/fail."""
    url = POSTGRES_SERVER.rstrip("/")
    if not _reachable(url, 5432):
        _missing("PostgreSQL", url)
    return url


def redis_url() -> str:
    """A Redis database for the test: the suite's REDIS_URL, or the local one."""
    url = os.environ.get("REDIS_URL") or REDIS_SERVER
    if not _reachable(url, 6379):
        _missing("Redis", url)
    return url


@contextlib.contextmanager
def scratch_postgres_database(prefix: str = "clinic_test"):
    """A new, empty PostgreSQL database for the duration; its URL."""
    import psycopg
    from psycopg import sql

    server = postgres_server()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=10) as db:
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=10) as db:
            db.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
