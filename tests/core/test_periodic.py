"""Periodic jobs run inside the task worker, once per period, with no cron."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from clinic_site.core import periodic
from clinic_site.core.models import PeriodicJob
from tests.factories import make_staff
from tests.helpers import force_login_verified, self_healing_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def counting_job():
    calls = []
    periodic.register("test.count", every=timedelta(hours=1), job=lambda: calls.append(1))
    yield calls
    periodic._jobs.pop("test.count")


def test_a_due_job_runs_once_per_period_however_often_workers_check(counting_job):
    for _ in range(3):
        periodic.run_due()

    assert counting_job == [1]
    job = PeriodicJob.objects.get(name="test.count")
    assert job.last_succeeded is True
    assert job.next_run_at > timezone.now() + timedelta(minutes=59)


def test_a_job_runs_again_when_its_period_has_passed(counting_job):
    periodic.run_due()
    PeriodicJob.objects.filter(name="test.count").update(next_run_at=timezone.now())

    periodic.run_due()

    assert counting_job == [1, 1]


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(counting_job):
    def broken():
        raise RuntimeError("patient Jordan Example")

    periodic.register("test.broken", every=timedelta(hours=1), job=broken)
    try:
        ran = periodic.run_due()
    finally:
        periodic._jobs.pop("test.broken")

    assert {"test.broken", "test.count"} <= set(ran)
    assert counting_job == [1]
    assert PeriodicJob.objects.get(name="test.broken").last_succeeded is False


def test_a_staff_search_term_leaves_the_database_with_the_expired_session(client):
    user, _ = make_staff("desk", groups=["Front desk"])
    force_login_verified(client, user)
    client.post(
        reverse("admin:intake_contactrequest_changelist"),
        {"private_search": "1", "q": "Zoë O'Brien"},
    )
    stored = [s.get_decoded() for s in Session.objects.all()]
    assert any("Zoë O'Brien" in str(data) for data in stored)

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert "sessions.clear_expired" in periodic.run_due()

    assert not Session.objects.exists()


def test_the_task_worker_runs_the_periodic_jobs_between_tasks(counting_job):
    # close_old_connections() would close the test's own transaction's connection.
    with mock.patch("clinic_site.core.worker.close_old_connections"):
        self_healing_worker().housekeeping()

    assert counting_job == [1]
