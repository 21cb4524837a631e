"""Scheduled publishing in one place (clinic_site/articles/scheduling.py): the task
worker publishes scheduled changes every minute; a reader's request never does."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic_site.articles import scheduling
from clinic_site.articles.drafts import DRAFT_FIELDS
from clinic_site.articles.models import Article
from clinic_site.core import pagecache, periodic
from tests.factories import make_article

SCHEDULED_REASON = "Published the changes scheduled for"
WRITES = ("INSERT", "UPDATE", "DELETE")


def with_scheduled_changes(when, body="Rest for two hours.\n") -> Article:
    article = make_article(body="Rest for an hour.\n")
    article.draft = {**{name: getattr(article, name) for name in DRAFT_FIELDS}, "body": body}
    article.draft_publish_at = when
    article.save()
    return article


def scheduled_publications(article) -> int:
    return article.history.filter(history_change_reason__startswith=SCHEDULED_REASON).count()


@pytest.mark.django_db
def test_a_readers_visit_after_the_scheduled_time_writes_no_article_or_history_row():
    when = timezone.now() + timedelta(minutes=5)
    article = with_scheduled_changes(when)
    reader = Client()
    reader.get(article.get_absolute_url())  # a copy in the page cache, from before
    versions = article.history.count()

    later = time_machine.travel(when + timedelta(minutes=1), tick=False)
    with later, CaptureQueriesContext(connection) as queries:
        for path in (article.get_absolute_url(), "/articles/", "/", "/articles/search/?q=rest"):
            assert reader.get(path).status_code == 200

    writes = [query["sql"] for query in queries if query["sql"].lstrip().startswith(WRITES)]
    assert all("core_contentversion" in sql for sql in writes), writes
    article.refresh_from_db()
    assert article.draft is not None and article.body == "Rest for an hour.\n"
    assert article.history.count() == versions


@pytest.mark.django_db
def test_the_job_publishes_only_what_is_due():
    soon, later = timezone.now() + timedelta(minutes=5), timezone.now() + timedelta(hours=2)
    due, not_yet = with_scheduled_changes(soon), with_scheduled_changes(later)

    with time_machine.travel(soon + timedelta(seconds=1), tick=False):
        assert scheduling.publish_due_changes() == 1
        assert scheduling.publish_due_changes() == 0

    due.refresh_from_db()
    not_yet.refresh_from_db()
    assert due.body == "Rest for two hours.\n" and due.draft is None
    assert not_yet.body == "Rest for an hour.\n" and not_yet.draft is not None
    assert scheduled_publications(due) == 1


@pytest.mark.django_db
def test_the_job_runs_every_minute_in_the_task_worker():
    [job] = [job for job in periodic.registered() if job.name == scheduling.JOB]
    assert job.every == timedelta(minutes=1)
    assert job.job is scheduling.publish_due_changes

    when = timezone.now() + timedelta(minutes=5)
    article = with_scheduled_changes(when)
    with time_machine.travel(when + timedelta(seconds=1), tick=False):
        assert scheduling.JOB in periodic.run_due()

    article.refresh_from_db()
    assert article.body == "Rest for two hours.\n"


@pytest.mark.django_db
def test_a_reader_sees_the_changes_once_the_job_has_run():
    when = timezone.now() + timedelta(minutes=5)
    article = with_scheduled_changes(when)
    reader = Client()
    assert "an hour" in reader.get(article.get_absolute_url()).content.decode()

    with time_machine.travel(when + timedelta(seconds=30), tick=False):
        assert "an hour" in reader.get(article.get_absolute_url()).content.decode()
        scheduling.publish_due_changes()

        assert "two hours" in reader.get(article.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_two_jobs_interleaved_publish_the_changes_once(monkeypatch):
    """Both list the due drafts; the second publishes everything before the first goes
    on. The first then finds each draft gone under its row lock and writes nothing."""
    when = timezone.now() + timedelta(minutes=5)
    article = with_scheduled_changes(when)
    list_due = scheduling._due_pks
    published_by_second = []

    def first_lists_then_second_runs(now):
        pks = list(list_due(now))
        monkeypatch.setattr(scheduling, "_due_pks", list_due)
        published_by_second.append(scheduling.publish_due_changes(now))
        return pks

    monkeypatch.setattr(scheduling, "_due_pks", first_lists_then_second_runs)
    with time_machine.travel(when + timedelta(seconds=1), tick=False):
        published_by_first = scheduling.publish_due_changes()

    assert (published_by_first, published_by_second) == (0, [1])
    assert scheduled_publications(article) == 1


@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_on_two_connections_publish_the_changes_once(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (DATABASE_URL); SQLite runs one writer")
    when = timezone.now() - timedelta(seconds=1)
    article = with_scheduled_changes(when)
    list_due = scheduling._due_pks
    both_listed = threading.Barrier(2, timeout=10)

    def list_then_wait(now):
        pks = list(list_due(now))
        both_listed.wait()
        return pks

    monkeypatch.setattr(scheduling, "_due_pks", list_then_wait)
    results = []

    def run_job():
        try:
            results.append(scheduling.publish_due_changes())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [0, 1]
    assert scheduled_publications(article) == 1


def test_the_scheduled_articles_are_one_of_the_page_caches_schedules():
    assert pagecache._schedules["articles.scheduled_articles"] is (
        scheduling.next_article_goes_live
    )
