"""/monitor: what an uptime checker polls. 503 naming the failed checks, nothing else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic_site.core.models import Heartbeat
from tests.factories import make_contact_request
from tests.helpers import writes_refused

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


# --- Who may see which checks fail, and what a call costs -------------------------------

OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}
# What nginx on the same host sends: the socket is local, the client is not.
THROUGH_THE_PROXY = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}


@pytest.mark.parametrize("caller", [OUTSIDE, THROUGH_THE_PROXY])
def test_an_anonymous_caller_learns_only_up_or_down(client, caller):
    worker_beat(90)  # the worker is silent: failing

    response = client.get("/monitor", **caller)

    assert response.status_code == 503
    assert response.json() == {"status": "failing"}
    assert b"task_worker" not in response.content


def test_an_anonymous_caller_sees_up(client):
    worker_beat(5)

    response = client.get("/monitor", **OUTSIDE)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_monitor_token_shows_the_failing_checks(client, settings):
    settings.MONITOR_TOKEN = "s3cret-monitor-token"
    worker_beat(90)

    response = client.get(
        "/monitor", HTTP_AUTHORIZATION="Bearer s3cret-monitor-token", **THROUGH_THE_PROXY
    )

    assert response.json() == {"status": "failing", "failed": ["task_worker"]}


@pytest.mark.parametrize("header", ["Bearer wrong", "Bearer ", "Basic czNjcmV0", ""])
def test_a_wrong_or_empty_token_is_anonymous(client, settings, header):
    settings.MONITOR_TOKEN = "s3cret-monitor-token"
    worker_beat(90)

    response = client.get("/monitor", HTTP_AUTHORIZATION=header, **OUTSIDE)

    assert response.json() == {"status": "failing"}


def test_no_token_is_configured_so_no_bearer_gets_the_names(client, settings):
    settings.MONITOR_TOKEN = ""
    worker_beat(90)

    assert client.get("/monitor", HTTP_AUTHORIZATION="Bearer ", **OUTSIDE).json() == {
        "status": "failing"
    }


def test_a_call_writes_nothing_to_the_database(client):
    worker_beat(5)
    before = list(Heartbeat.objects.values_list("name", "beat_at"))

    assert client.get("/monitor").status_code == 200

    assert list(Heartbeat.objects.values_list("name", "beat_at")) == before


def test_the_result_is_kept_briefly_so_callers_cannot_load_the_database(client, settings):
    from clinic_site.core import monitoring

    settings.MONITOR_CACHE_SECONDS = 30
    calls = []
    monitoring.register("test_counting", lambda: calls.append(1) or True)
    worker_beat(5)
    try:
        for _ in range(5):
            assert client.get("/monitor", **OUTSIDE).status_code == 200
        assert calls == [1]

        settings.MONITOR_CACHE_SECONDS = 0
        client.get("/monitor", **OUTSIDE)
        assert calls == [1, 1]
    finally:
        monitoring._checks.pop("test_counting")


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
