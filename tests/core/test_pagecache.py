"""The public page cache: one truth for every worker and host.

Each process keeps its own copies of public pages and checks them against a content
version shared through the database, so an article change made in any process shows
in every other within PAGE_CACHE_CHECK_SECONDS (1 s), with or without Redis.
"""

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from clinic_site.core import pagecache
from tests.factories import make_article
from tests.servers import HTTPS, gunicorn, manage, production_env, request, run_python
from tests.services import redis_url, scratch_postgres_database

# A change must show everywhere within this long (the promise is 2 s). The
# gunicorn workers are real processes on the real clock, so these tests really wait it
# out; a test in this process moves the clock instead (time_machine).
WITHIN_SECONDS = 2

SAVE = (
    "import django; django.setup(); from clinic_site.articles.models import Article; "
    "a = Article.objects.get(slug='dose'); {change}; a.save()"
)


def create_article_and_warm(env, ports):
    run_python(
        "import django; django.setup(); from clinic_site.articles.models import Article; "
        "Article.objects.create(title='Old dose wording', slug='dose', summary='s', "
        "topic='treatment', body='## Dose\\n\\nText.', status='published')",
        env,
    )
    for port in ports:
        for _ in range(12):  # several requests, so every worker has a copy
            status, _, body = request(port, "/articles/dose/", headers=HTTPS)
            assert status == 200 and b"Old dose wording" in body


def responses(ports, count=12):
    return [request(port, "/articles/dose/", headers=HTTPS) for port in ports for _ in range(count)]


def assert_change_shows_everywhere(env, ports):
    run_python(SAVE.format(change="a.title = 'Corrected dose wording'"), env)
    time.sleep(WITHIN_SECONDS)
    bodies = [body for status, _, body in responses(ports) if status == 200]
    assert len(bodies) == 12 * len(ports)
    assert all(b"Corrected dose wording" in body for body in bodies)

    run_python(SAVE.format(change="a.status = 'draft'"), env)
    time.sleep(WITHIN_SECONDS)
    assert {status for status, _, _ in responses(ports)} == {410}


def migrated(env):
    result = manage("migrate", "--noinput", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    return env


def test_an_edit_in_another_process_shows_on_every_sqlite_worker_within_two_seconds(tmp_path):
    env = migrated(
        production_env(
            DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
            REDIS_URL=None,
            WEB_CONCURRENCY="3",
        )
    )
    with gunicorn(env, tmp_path / "gunicorn.log") as (port, _):
        create_article_and_warm(env, [port])
        assert_change_shows_everywhere(env, [port])


def test_an_edit_shows_on_two_hosts_sharing_postgresql_and_redis(tmp_path):
    cache_url = redis_url()
    with scratch_postgres_database("clinic_pagecache") as database_url:
        env = migrated(
            production_env(DATABASE_URL=database_url, REDIS_URL=cache_url, WEB_CONCURRENCY="2")
        )
        with (
            gunicorn(env, tmp_path / "host-a.log") as (host_a, _),
            gunicorn(env, tmp_path / "host-b.log") as (host_b, _),
        ):
            create_article_and_warm(env, [host_a, host_b])
            assert_change_shows_everywhere(env, [host_a, host_b])


@pytest.mark.django_db
def test_a_request_naming_another_host_never_changes_what_readers_get(client):
    make_article(slug="dose", title="Dose")

    poisoned = client.get("/articles/dose/", HTTP_HOST="127.0.0.1:31337")
    plain = client.get("/articles/dose/", HTTP_HOST="127.0.0.1")
    sitemap_poisoned = client.get("/sitemap.xml", HTTP_HOST="127.0.0.1:31337")
    sitemap = client.get("/sitemap.xml", HTTP_HOST="127.0.0.1")

    assert b"31337" in poisoned.content and b"31337" in sitemap_poisoned.content
    assert b"31337" not in plain.content
    assert b"31337" not in sitemap.content


@pytest.mark.django_db
def test_a_scheduled_article_appears_without_any_save(client, django_capture_on_commit_callbacks):
    make_article(slug="soon", title="Soon", published_at=timezone.now() + timedelta(seconds=1))
    assert b"Soon" not in client.get("/articles/").content

    with time_machine.travel(timezone.now() + timedelta(seconds=1.2)):
        assert b"Soon" in client.get("/articles/").content


@pytest.mark.django_db
def test_every_registered_schedule_expires_the_cached_pages(monkeypatch):
    """Several apps may say when their content changes by itself; none replaces another."""
    soon, later = timezone.now() + timedelta(minutes=5), timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(pagecache, "_schedules", {})
    pagecache.register_schedule("one.app", lambda: later if timezone.now() < later else None)
    pagecache.register_schedule("another.app", lambda: soon if timezone.now() < soon else None)
    pagecache.register_schedule("a.third", lambda: None)
    assert pagecache.next_scheduled_change() == soon

    first = pagecache._pages.current_version()
    with time_machine.travel(soon + timedelta(seconds=1), tick=False):
        second = pagecache._pages.current_version()
    with time_machine.travel(later + timedelta(seconds=1), tick=False):
        third = pagecache._pages.current_version()

    assert len({first, second, third}) == 3
    # The same name again replaces only that app's schedule (ready() may run twice).
    pagecache.register_schedule("another.app", lambda: None)
    assert pagecache.next_scheduled_change() == later


@pytest.mark.django_db
def test_pages_are_served_from_memory_until_the_shared_version_changes(
    client, django_assert_num_queries, settings
):
    settings.PAGE_CACHE_CHECK_SECONDS = 60
    make_article(slug="dose", title="Dose")
    client.get("/articles/dose/")

    with django_assert_num_queries(0):
        assert client.get("/articles/dose/").status_code == 200

    # Another process changes the content: this one sees it at its next check.
    pagecache._write_version()
    pagecache._pages.checked_at = float("-inf")
    # The version row, then a fresh render (article, related articles, translations).
    with django_assert_num_queries(1 + 4):
        client.get("/articles/dose/")
