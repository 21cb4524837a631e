"""Fixtures shared by the whole suite."""

import os
from datetime import datetime

import pytest
import time_machine
from django.core.cache import cache

from clinic_site.core import monitoring, pagecache
from clinic_site.readership import counting

# TEST_CLOCK=<ISO instant with its UTC offset>: every in-process test starts at that
# moment and the clock ticks on from there. CI runs the suite at the awkward instants of
# the clinic's calendar (the 1st of a month, the nights clocks change, New Year's Eve,
# 29 February; see .ci/run), so a test that reads today's date without fixing it fails
# in CI, not on the day it happens. Processes a test starts (gunicorn, chromium) keep the
# real clock, so `server` and `browser` tests are left as they are (and out of such runs).
TEST_CLOCK = os.environ.get("TEST_CLOCK")


def pytest_configure(config):
    if TEST_CLOCK and datetime.fromisoformat(TEST_CLOCK).tzinfo is None:
        raise pytest.UsageError(f"TEST_CLOCK needs a UTC offset: {TEST_CLOCK!r}")


def pytest_report_header(config):
    if TEST_CLOCK:
        return f"clock: every in-process test starts at {TEST_CLOCK} (TEST_CLOCK)"


@pytest.fixture(autouse=True)
def _test_clock(request):
    if not TEST_CLOCK or any(
        request.node.get_closest_marker(name) for name in ("server", "browser")
    ):
        yield
        return
    with time_machine.travel(datetime.fromisoformat(TEST_CLOCK), tick=True):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Cached pages, rate-limit counters and page views not yet flushed must not leak
    # between tests (with REDIS_URL set the cache is a real Redis database, cleared the
    # same way).
    cache.clear()
    pagecache.reset()
    monitoring.reset()
    counting.forget()
    yield
    cache.clear()
    pagecache.reset()
    monitoring.reset()
    counting.forget()


@pytest.fixture
def admin_client_with_otp(client, db):
    """A client logged in as a superuser through the real two-factor login form.

    The admin requires a verified authenticator on every page, so pytest-django's own
    ``admin_client`` only ever sees the login page. See tests/helpers.py.
    """
    from tests.factories import make_staff
    from tests.helpers import login_to_admin

    user, token = make_staff("otp-admin", superuser=True)
    response = login_to_admin(client, user.username, token())
    assert response.status_code == 302, "two-factor admin login failed"
    client.user = user
    return client


# --- Staff in each of accounts' roles -------------------------------------------------------
# Each is pytest-django's ``client``, logged in with a second factor as a member of the
# role with exactly the permissions ``manage.py setup_roles`` gives it (the factories run
# it); the user is ``<fixture>.user``. They share that one client, so a test that needs
# two people at once logs the second into a client of its own (tests.helpers.logged_in).


@pytest.fixture
def roles(db):
    """accounts' groups and their permissions, as ``manage.py setup_roles`` makes them."""
    from clinic_site.accounts.roles import setup_roles

    setup_roles()


@pytest.fixture
def front_desk(client, db):
    """Front desk (username "desk"): follows up contact requests."""
    from clinic_site.accounts.roles import FRONT_DESK
    from tests.factories import make_member
    from tests.helpers import force_login_verified

    return force_login_verified(client, make_member(FRONT_DESK, "desk")[0])


@pytest.fixture
def editor(client, db):
    """Editor (username "editor"): writes and publishes articles."""
    from clinic_site.accounts.roles import EDITOR
    from tests.factories import make_member
    from tests.helpers import force_login_verified

    return force_login_verified(client, make_member(EDITOR, "editor")[0])


@pytest.fixture
def clinical_reviewer(client, db):
    """Clinical reviewer (username "reviewer") with the staff profile a sign-off needs."""
    from tests.factories import make_reviewer
    from tests.helpers import force_login_verified

    return force_login_verified(client, make_reviewer()[0])


@pytest.fixture
def manager(client, db):
    """Someone who manages staff ("manage staff", not a superuser), username "manager"."""
    from tests.factories import make_manager
    from tests.helpers import force_login_verified

    return force_login_verified(client, make_manager()[0])


# Fixtures through which a test reaches the database (pytest-django's, and the project's
# that build on them).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


def pytest_collection_modifyitems(config, items):
    """Marks the tests that start processes (`server`), then narrows the run for CI.

    ONLY_DATABASE_TESTS=1 keeps the tests whose outcome can depend on the database, and
    every in-process test (the pass runs at a fixed instant of its own).

    .ci/run's second pass (PostgreSQL and Redis) uses it: tests that never touch the
    database (settings, gunicorn, lint-like checks, real-browser rendering) ran in the
    first pass and would only repeat themselves.
    """
    from tests.markers import mark

    for item in items:
        mark(item)
    if os.environ.get("ONLY_DATABASE_TESTS") != "1":
        return
    keep, drop = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or bool(
            DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        browser = item.get_closest_marker("browser") is not None
        # The pass runs at a fixed instant of its own (TEST_CLOCK): every in-process
        # test comes along, database or not (they are the fast ones).
        in_process = not (browser or item.get_closest_marker("server"))
        (keep if (uses_database and not browser) or in_process else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
