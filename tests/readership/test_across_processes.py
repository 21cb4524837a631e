"""Counts from every gunicorn worker, and every host, add up exactly: N views of a cached
article are N in the database after the flush, whichever processes served them."""

import contextlib
import sqlite3
import time

from tests.servers import HTTPS, gunicorn, manage, production_env, request, run_python
from tests.services import scratch_postgres_database

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}
VIEWS = 90
ROBOTS = 7

CREATE = (
    "import django; django.setup(); from clinic_site.articles.models import Article; "
    "Article.objects.create(title='Dose', slug='dose', summary='s', topic='treatment', "
    "body='## Dose\\n\\nText.', status='published')"
)
# Read straight from the database the servers write to: a Django process per look would
# cost a second of CPU each, and settled() looks every half second.
COUNTS = (
    "SELECT"
    " (SELECT COALESCE(SUM(count), 0) FROM readership_pageviews WHERE path = '/articles/dose/'),"
    " (SELECT COALESCE(SUM(count), 0) FROM readership_excludedhits)"
)


def prepared(**overrides):
    env = production_env(REDIS_URL=None, **overrides)
    result = manage("migrate", "--noinput", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    run_python(CREATE, env)
    return env


def counts(env) -> tuple[int, int]:
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            views, excluded = db.execute(COUNTS).fetchone()
    else:
        import psycopg

        with psycopg.connect(url, connect_timeout=10) as db:
            views, excluded = db.execute(COUNTS).fetchone()
    return int(views), int(excluded)


def read(ports, views=VIEWS, robots=ROBOTS):
    for number in range(views):
        status, _, _ = request(
            ports[number % len(ports)], "/articles/dose/", headers=HTTPS | BROWSER
        )
        assert status == 200
    for number in range(robots):
        headers = HTTPS | {"User-Agent": "Googlebot/2.1"}
        assert request(ports[number % len(ports)], "/articles/dose/", headers=headers)[0] == 200


def settled(env, expected, within=15.0):
    """The counts once they reach ``expected`` (or after ``within`` seconds), then a
    little longer, so that a count added twice would show."""
    deadline = time.monotonic() + within
    while counts(env) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)
    return counts(env)


def test_views_through_several_workers_add_exactly_after_the_flush(tmp_path):
    env = prepared(
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        WEB_CONCURRENCY="3",
        READERSHIP_FLUSH_SECONDS="1",
    )
    with gunicorn(env, tmp_path / "gunicorn.log") as (port, _):
        read([port])

        assert settled(env, (VIEWS, ROBOTS)) == (VIEWS, ROBOTS)


def test_workers_that_stop_add_what_they_counted_on_their_way_out(tmp_path):
    env = prepared(
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        WEB_CONCURRENCY="3",
        READERSHIP_FLUSH_SECONDS="0",  # no flusher thread: only the exit flush
    )
    with gunicorn(env, tmp_path / "gunicorn.log") as (port, _):
        read([port])
        assert counts(env) == (0, 0), "nothing is written per request"

    assert counts(env) == (VIEWS, ROBOTS)


def test_two_hosts_sharing_postgresql_add_up_exactly(tmp_path):
    with scratch_postgres_database("clinic_readership") as database_url:
        env = prepared(DATABASE_URL=database_url, WEB_CONCURRENCY="2", READERSHIP_FLUSH_SECONDS="1")
        with (
            gunicorn(env, tmp_path / "host-a.log") as (host_a, _),
            gunicorn(env, tmp_path / "host-b.log") as (host_b, _),
        ):
            read([host_a, host_b])

            assert settled(env, (VIEWS, ROBOTS)) == (VIEWS, ROBOTS)
