"""/healthz: 200 while the database answers; 503 otherwise (Redis is /monitor's concern)."""

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

from clinic_site.settings import redis_cache

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:6399/0"  # nothing listens here


def test_up_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_down_when_the_database_does_not_answer(client, monkeypatch):
    def refuse(self, sql, params=None):
        raise OperationalError("connection to server at 10.0.0.5 failed: password for clinic")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    # Nothing about why: no host, no driver message, no stack.
    assert response.json() == {"status": "unavailable"}
    assert b"10.0.0.5" not in response.content


def test_up_with_a_working_redis(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    settings.CACHES = {"default": redis_cache(redis_url, key_prefix="healthz-test")}

    assert client.get("/healthz").status_code == 200


def test_ready_while_the_configured_redis_does_not_answer(client, settings):
    # The site serves without Redis (core/circuit_breaker.py): a Redis outage must not take every
    # host out of the load balancer. /monitor names it instead.
    settings.REDIS_URL = DEAD_REDIS
    settings.CACHES = {"default": redis_cache(DEAD_REDIS)}

    assert client.get("/healthz").status_code == 200
    monitor = client.get("/monitor")
    assert monitor.status_code == 503
    assert "cache" in monitor.json()["failed"]
    assert b"6399" not in monitor.content


def test_only_get_is_answered(client):
    assert client.post("/healthz").status_code == 405
