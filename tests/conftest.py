"""Fixtures shared by the whole suite."""

import pytest
from django.core.cache import cache

from clinic_site.core import pagecache


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Cached pages and rate-limit counters must not leak between tests (with REDIS_URL
    # set the cache is a real Redis database, cleared the same way).
    cache.clear()
    pagecache.reset()
    yield
    cache.clear()
    pagecache.reset()


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
