"""Fixtures shared by the whole suite."""

import os

import pytest
from django.core.cache import cache

from clinic_site.core import pagecache
from clinic_site.readership import counting


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Cached pages, rate-limit counters and page views not yet flushed must not leak
    # between tests (with REDIS_URL set the cache is a real Redis database, cleared the
    # same way).
    cache.clear()
    pagecache.reset()
    counting.forget()
    yield
    cache.clear()
    pagecache.reset()
    counting.forget()


@pytest.fixture
def admin_client_with_otp(client, db):
    """A client logged in as a superuser through the real two-factor login form.

    The admin requires a verified authenticator on every page, so pytest-django's own
    ``admin_client`` only ever sees the login page. See tests/helpers.py.
    """
    from tests.helpers import login_to_admin, make_staff

    user, token = make_staff("otp-admin", superuser=True)
    response = login_to_admin(client, user.username, token())
    assert response.status_code == 302, "two-factor admin login failed"
    client.user = user
    return client


# Fixtures through which a test reaches the database (pytest-django's, and the project's
# that build on them).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


def pytest_collection_modifyitems(config, items):
    """ONLY_DATABASE_TESTS=1 keeps the tests whose outcome can depend on the database.

    .ci/run's second pass (PostgreSQL and Redis) uses it: tests that never touch the
    database (settings, gunicorn, lint-like checks, real-browser rendering) ran in the
    first pass and would only repeat themselves.
    """
    if os.environ.get("ONLY_DATABASE_TESTS") != "1":
        return
    keep, drop = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or bool(
            DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        browser = item.get_closest_marker("browser") is not None
        (keep if uses_database and not browser else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
