"""With REDIS_URL set, the cache, rate-limit counters and sessions live in Redis.

These run against the real local Redis: with the suite's REDIS_URL when it has one
(the PostgreSQL pass in .ci/run), or with a Redis cache configured here from the same
settings function otherwise. "Another host" is another Python process.
"""

import uuid

import pytest
import redis
from django.contrib.sessions.backends.cached_db import KEY_PREFIX as SESSION_PREFIX
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from clinic_site.core import ratelimit
from clinic_site.settings import redis_cache
from tests.core.production import production_env, run_python
from tests.factories import make_staff
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_settings(settings, redis_url):
    """The production configuration for REDIS_URL, under a prefix of this test's own."""
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings.REDIS_URL = redis_url
    settings.CACHES = {"default": redis_cache(redis_url, key_prefix=prefix)}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    server = redis.Redis.from_url(redis_url)
    yield settings, server, prefix
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def run_on_another_host(code: str, *, redis_url: str, prefix: str, secret_key: str):
    """Run ``code`` in a separate process with production settings and this Redis."""
    env = production_env(
        REDIS_URL=redis_url, SECRET_KEY=secret_key, DATABASE_URL="sqlite:///:memory:"
    )
    setup = (
        "import django, os; django.setup(); from django.conf import settings; "
        f"settings.CACHES['default']['KEY_PREFIX'] = {prefix!r}; "
    )
    return run_python(setup + code, env)


def test_the_cache_is_shared_with_other_processes(redis_settings, redis_url):
    settings, _, prefix = redis_settings

    run_on_another_host(
        "from django.core.cache import cache; cache.set('greeting', 'from host B', 60)",
        redis_url=redis_url,
        prefix=prefix,
        secret_key=settings.SECRET_KEY,
    )

    assert cache.get("greeting") == "from host B"


def test_rate_limit_counters_are_shared_across_hosts(redis_settings, redis_url):
    settings, server, prefix = redis_settings
    scope = f"shared-{uuid.uuid4().hex[:6]}"

    # Host B takes three of the client's five.
    run_on_another_host(
        "from clinic_site.core import ratelimit; "
        f"print([ratelimit.hit({scope!r}, '203.0.113.9', limit=5, window=60) for _ in range(3)])",
        redis_url=redis_url,
        prefix=prefix,
        secret_key=settings.SECRET_KEY,
    )

    # This host sees them: two more are allowed, the sixth is not.
    results = [ratelimit.hit(scope, "203.0.113.9", limit=5, window=60) for _ in range(3)]
    assert results == [True, True, False]
    # The counter is in Redis, with its window as expiry, and holds no address.
    keys = [key.decode() for key in server.scan_iter(f"{prefix}:*rate:{scope}:*")]
    assert len(keys) == 1 and "203.0.113.9" not in keys[0]
    assert 0 < server.ttl(keys[0]) <= 60


def test_the_contact_form_rate_limit_counts_in_redis(client, redis_settings):
    settings, server, prefix = redis_settings
    settings.CONTACT_RATE_LIMIT = 2
    settings.CONTACT_FLOOD_LIMIT = 2  # the third is refused, not held
    data = {
        "name": "Robin Example",
        "email": "robin@example.com",
        "preferred_contact_method": "email",
        "interest": "anxiety",
        "message": "Could you tell me more about the first appointment?",
        "consent": "on",
    }

    statuses = [client.post(reverse("intake:contact"), data).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]
    assert any(server.scan_iter(f"{prefix}:*rate:contact:*"))


def test_sessions_are_read_from_redis_so_any_host_can_serve_a_staff_member(client, redis_settings):
    settings, server, prefix = redis_settings
    user, _ = make_staff("desk", superuser=True)
    force_login_verified(client, user)
    session_key = client.session.session_key

    # The session is in Redis (and written through to the database) ...
    assert server.exists(f"{prefix}:1:{SESSION_PREFIX}{session_key}")
    assert Session.objects.filter(session_key=session_key).exists()
    # ... and is read from Redis: with the database copy emptied, the staff member
    # is still logged in.
    Session.objects.filter(session_key=session_key).update(session_data=SessionStore().encode({}))
    assert client.get(reverse("admin:index")).status_code == 200
