"""A frozen Redis (process stopped by SIGSTOP, socket still open) costs milliseconds.

A real redis-server on a spare port, stopped mid-test: pages must keep their speed
(compared with the same pages while Redis answered, in this run), staff stay logged in
(sessions fall back to the database) and the contact form's rate limit still counts
(per process). Skipped, with the reason, where redis-server is not installed.
"""

import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import time
from contextlib import closing

import pytest
import redis
from django.core.cache import caches
from django.urls import reverse

from clinic_site.core import circuit_breaker as breaker
from clinic_site.core import pagecache, ratelimit
from clinic_site.settings import redis_cache
from tests.factories import form_data, make_article, make_staff, submit
from tests.helpers import force_login_verified

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed"),
]

REQUESTS = 300


def spare_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    port = spare_port()
    server = subprocess.Popen(  # noqa: S603
        [
            shutil.which("redis-server"),
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    try:
        yield server, url
    finally:
        os.kill(server.pid, signal.SIGCONT)
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def site_on_redis(settings, own_redis):
    server, url = own_redis
    settings.REDIS_URL = url
    settings.CACHES = {"default": redis_cache(url)}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    caches["default"]  # noqa: B018 - built from the new settings
    ratelimit._local.clear()
    return server


def timings(client, paths, *, uncached=False) -> list[float]:
    seconds = []
    for number in range(REQUESTS):
        if uncached:
            pagecache.reset()  # render every page
        start = time.perf_counter()
        response = client.get(paths[number % len(paths)])
        seconds.append(time.perf_counter() - start)
        assert response.status_code == 200
    return seconds


def p99(values: list[float]) -> float:
    return sorted(values)[math.ceil(len(values) * 0.99) - 1]


def test_pages_staff_and_rate_limits_carry_on_while_redis_is_frozen(
    client, site_on_redis, settings, caplog
):
    article = make_article()
    paths = ["/", "/articles/", article.get_absolute_url()]
    staff = make_staff("desk", superuser=True)[0]
    staff_client = type(client)()
    force_login_verified(staff_client, staff)
    settings.CONTACT_RATE_LIMIT = 2
    settings.CONTACT_FLOOD_LIMIT = 2  # the third is refused, not held

    timings(client, paths)  # warm
    # The page cache never touches Redis (core/pagecache.py); compare the frozen run
    # with rendering every page while Redis answers, the slowest an honest page is.
    healthy = timings(client, paths, uncached=True)
    assert staff_client.get(reverse("admin:index")).status_code == 200

    os.kill(site_on_redis.pid, signal.SIGSTOP)
    started = time.monotonic()
    frozen = timings(client, paths)
    # Loose, for a shared machine whose load changes between the two phases: waiting on
    # Redis would cost SOCKET_TIMEOUT_SECONDS (250 ms) a request, far beyond this.
    assert statistics.median(frozen) < 5 * statistics.median(healthy) + 0.010
    assert p99(frozen) < 0.2, f"p99 {p99(frozen) * 1000:.0f} ms"

    # Staff stay logged in: their session is read from the database.
    admin_page = staff_client.get(reverse("admin:index"))
    assert admin_page.status_code == 200
    assert "desk" in admin_page.content.decode()

    # The contact form's limit still counts, in this process.
    statuses = [submit(client, form_data()).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]

    # Only a call that finds the circuit closed waits for the timeout: one per period.
    elapsed = time.monotonic() - started
    opened = [r for r in caplog.records if getattr(r, "event", "") == "cache.circuit_open"]
    assert 1 <= len(opened) <= math.ceil(elapsed / breaker.OPEN_SECONDS)


def test_the_circuit_closes_again_when_redis_comes_back(site_on_redis, monkeypatch):
    cache = caches["default"]
    cache.set("greeting", "hello", 60)
    os.kill(site_on_redis.pid, signal.SIGSTOP)

    assert cache.get("greeting") is None  # waited once, then the circuit opened
    assert not cache.available

    os.kill(site_on_redis.pid, signal.SIGCONT)
    monkeypatch.setattr(breaker, "OPEN_SECONDS", 0.0)
    cache._open_until = 0.0

    assert cache.get("greeting") == "hello"
    assert cache.available
