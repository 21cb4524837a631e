"""Simultaneous submissions under gunicorn with several workers all land.

The real stack, end to end: gunicorn (the project's gunicorn.conf.py, three sync
workers) serving the production settings (through clinic_site.settings_test, which
only swaps in plain static files and in-memory email), a freshly migrated database,
and SUBMISSIONS browsers that each load the form, take its CSRF token, and then all
press "Send" at the same moment. Every request must answer with the redirect to the
thank-you page, and every one must be in the database, with its notification queued.

Runs on a SQLite file (WAL, busy timeout and IMMEDIATE transactions come from
settings.py) and on a scratch PostgreSQL database on the local server (skipped, or failed
under REQUIRE_SERVICES=1, when there is none; see tests/services.py).
"""

import contextlib
import http.client
import re
import sqlite3
import threading
from pathlib import Path
from urllib.parse import urlencode

from tests import servers
from tests.servers import manage, production_env
from tests.services import scratch_postgres_database

SUBMISSIONS = 60
WORKERS = 3
HTTP_TIMEOUT = 60

# The staff-notification outbox (intake.Notification), one row per request here.
COUNT_QUEUED = "SELECT COUNT(*) FROM intake_notification"


def server_env(database_url: str) -> dict:
    return production_env(
        DATABASE_URL=database_url,
        # The browsers below talk to gunicorn directly, as 127.0.0.1, over plain HTTP.
        ALLOWED_HOSTS="127.0.0.1,clinic.example",
        REDIS_URL=None,
        CONTACT_RATE_LIMIT="100000",  # every submission comes from 127.0.0.1
    )


@contextlib.contextmanager
def gunicorn(env: dict, log: Path):
    """Migrated, then served by WORKERS sync workers (tests/servers.py)."""
    result = manage("migrate", "--noinput", "--verbosity", "0", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    with servers.gunicorn(
        env, log, arguments=["--workers", str(WORKERS), "--timeout", str(HTTP_TIMEOUT)]
    ) as (port, _):
        yield port


def form_for(number: int) -> dict:
    message = "Could infusions help with my depression?"
    if number % 10 == 0:
        message = "I have been feeling suicidal lately."
    return {
        "name": f"Zoë Núñez {number}",
        "email": f"person{number}@example.com",
        "phone": "",
        "preferred_contact_method": "email",
        "best_time": "",
        "interest": "depression",
        "message": message,
        "consent": "on",
        "website": "",
    }


def submit_all_at_once(port: int) -> tuple[list, list]:
    """SUBMISSIONS threads load the form, wait for each other, then all POST."""
    start = threading.Barrier(SUBMISSIONS, timeout=HTTP_TIMEOUT)
    results, errors = [], []
    lock = threading.Lock()

    def one(number: int):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT)
            connection.request("GET", "/contact/")
            page = connection.getresponse()
            html = page.read().decode()
            # DEBUG is off, so the cookie is "__Host-csrftoken" and Secure; over plain
            # HTTP a browser would not send it back, but nothing stops this client.
            cookie = next(
                value.split(";", 1)[0]
                for name, value in page.getheaders()
                if name.lower() == "set-cookie" and "csrftoken=" in value
            )
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
            body = urlencode({**form_for(number), "csrfmiddlewaretoken": token})
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
            start.wait()
            connection.request("POST", "/contact/", body, headers)
            response = connection.getresponse()
            response.read()
            with lock:
                results.append((response.status, response.getheader("Location")))
        except Exception as error:  # every failure is reported by assert_all_landed
            with lock:
                errors.append(f"{number}: {type(error).__name__}: {error}")
            with contextlib.suppress(threading.BrokenBarrierError):
                start.abort()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(1, SUBMISSIONS + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HTTP_TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "a submission hung"
    return results, errors


def assert_all_landed(results, errors, rows, queued, log: Path):
    assert errors == [], f"{errors[:5]}\n{log.read_text()[-3000:]}"
    assert len(results) == SUBMISSIONS
    assert all(result == (302, "/contact/thanks/") for result in results), results
    expected = {form_for(n)["name"] for n in range(1, SUBMISSIONS + 1)}
    names = [name for name, _ in rows]
    assert len(names) == SUBMISSIONS
    assert set(names) == expected
    assert sum(urgent for _, urgent in rows) == SUBMISSIONS // 10
    assert queued == SUBMISSIONS  # one staff notification waiting for each


def test_concurrent_submissions_all_land_on_sqlite(tmp_path):
    database = tmp_path / "concurrency.sqlite3"
    log = tmp_path / "gunicorn.log"

    with gunicorn(server_env(f"sqlite:///{database}"), log) as port:
        results, errors = submit_all_at_once(port)

    with contextlib.closing(sqlite3.connect(database)) as db:
        rows = db.execute("SELECT name, urgent FROM intake_contactrequest").fetchall()
        queued = db.execute(COUNT_QUEUED).fetchone()[0]
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"
    assert_all_landed(results, errors, rows, queued, log)


def test_concurrent_submissions_all_land_on_postgresql(tmp_path):
    import psycopg

    log = tmp_path / "gunicorn.log"
    with scratch_postgres_database("clinic_conc") as scratch:
        with gunicorn(server_env(scratch), log) as port:
            results, errors = submit_all_at_once(port)
        with psycopg.connect(scratch, connect_timeout=10) as db:
            rows = db.execute("SELECT name, urgent FROM intake_contactrequest").fetchall()
            queued = db.execute(COUNT_QUEUED).fetchone()[0]
    assert_all_landed(results, errors, rows, queued, log)
