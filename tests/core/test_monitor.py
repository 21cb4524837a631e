"""/monitor: what an uptime checker polls. 503 naming the failed checks, nothing else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic_site.core.models import Heartbeat
from tests.helpers import writes_refused
from tests.intake.factories import make_contact_request

pytestmark = pytest.mark.django_db


def worker_beat(seconds_ago: float):
    Heartbeat.objects.update_or_create(
        name="task-worker:abc",
        defaults={"beat_at": timezone.now() - timedelta(seconds=seconds_ago)},
    )


def test_ok_while_the_worker_beats_and_every_request_is_announced(client):
    worker_beat(5)
    make_contact_request()  # just arrived: its email is on its way

    response = client.get("/monitor")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_fails_when_the_worker_heartbeat_is_older_than_a_minute(client):
    worker_beat(90)

    response = client.get("/monitor")

    assert response.status_code == 503
    assert response.json() == {"status": "failing", "failed": ["task_worker"]}


def test_fails_when_no_worker_has_ever_run(client):
    assert client.get("/monitor").json()["failed"] == ["task_worker"]


def test_fails_when_a_request_waits_more_than_ten_minutes_for_its_notification(client):
    worker_beat(5)
    make_contact_request(created_at=timezone.now() - timedelta(minutes=11))

    response = client.get("/monitor")

    assert response.status_code == 503
    assert response.json() == {"status": "failing", "failed": ["staff_notifications"]}


def test_fails_when_the_database_cannot_be_written(client):
    worker_beat(5)
    with writes_refused("core_heartbeat"):
        response = client.get("/monitor")

    assert response.status_code == 503
    assert response.json() == {"status": "failing", "failed": ["database_writable"]}
    assert b"readonly" not in response.content and b"extend file" not in response.content


def test_healthz_stays_the_readiness_check(client):
    # No worker, an overdue request: the host can still serve pages.
    make_contact_request(created_at=timezone.now() - timedelta(minutes=30))

    assert client.get("/healthz").status_code == 200
    assert client.get("/monitor").status_code == 503


def test_fails_when_site_url_names_another_host_than_the_one_serving(client, settings):
    worker_beat(5)
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    settings.SITE_URL = "http://127.0.0.1:8000"  # `PORT=8731 make run` before the fix

    mismatch = client.get("/monitor", HTTP_HOST="127.0.0.1:8731")
    settings.SITE_URL = "http://127.0.0.1:8731"
    match = client.get("/monitor", HTTP_HOST="127.0.0.1:8731")

    assert mismatch.status_code == 503
    assert mismatch.json()["failed"] == ["site_url"]
    assert b"8000" not in mismatch.content
    assert match.status_code == 200
