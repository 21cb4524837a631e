"""Logging staff in with a working second factor, and the database failing on purpose.

Every admin page needs a verified TOTP device (clinic_site/accounts/admin_site.py), so
``client.force_login(user)`` alone only reaches the admin's login page. Staff are made in
tests/factories.py; then:

    user, token = make_staff("desk", groups=["Front desk"])
    login_to_admin(client, "desk", token())          # the real login form, 302 on success
    force_login_verified(client, user)               # quicker, for what comes after login

or the role fixtures of tests/conftest.py (``front_desk``, ``editor``, ...) and
``admin_client_with_otp`` (a superuser), all fully logged in. Browser tests type
``STAFF_PASSWORD`` and ``token()`` into the login page. ``token()`` never returns a code
the device has already accepted, since TOTP refuses a code twice.
"""

import contextlib
import time

from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

STAFF_PASSWORD = "correct-horse-battery-staple-42"


def totp_token(device: TOTPDevice) -> str:
    """The code an authenticator app would show now, and one the device will accept.

    The device accepts codes from ``tolerance`` steps either side of now and never a
    step it has already accepted, so after a login in this 30-second window the next
    step's code is used.
    """
    device.refresh_from_db()
    now_t = int((time.time() - device.t0) // device.step) + device.drift
    t = max(now_t, device.last_t + 1)
    if t > now_t + device.tolerance:
        raise RuntimeError("Every code this device accepts right now has been used.")
    return f"{hotp(device.bin_key, t, digits=device.digits):0{device.digits}d}"


def login_to_admin(client, username: str, token: str, *, password: str = STAFF_PASSWORD):
    """Log in through the admin's real login form; returns the response (302 if it worked)."""
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "otp_token": token},
    )


def force_login_verified(client, user):
    """Log ``user`` in and mark the session as verified by their first device; returns
    the client, with the user as ``client.user``.

    Quicker than the form, for tests about what happens *after* login.
    """
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    if device is None:
        raise ValueError(f"{user} has no confirmed authenticator; use make_staff().")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.user = user
    return client


def logged_in(user):
    """A client of its own, logged in as ``user`` with their second factor: for tests in
    which two people act at once (the role fixtures share pytest-django's ``client``)."""
    from django.test import Client

    return force_login_verified(Client(), user)


def assert_says(text: str, *phrases: str) -> None:
    """Every one of ``phrases`` is in ``text`` (a page, an email); a failure lists each
    one that is missing, not only the first."""
    missing = [phrase for phrase in phrases if phrase not in text]
    assert not missing, f"missing: {missing}"


def self_healing_worker():
    """The task worker `manage.py task_worker` runs, set up for one pass in a test."""
    from clinic_site.core.worker import TaskWorker

    return TaskWorker(interval=0, batch=True, worker_id="test-worker")


@contextlib.contextmanager
def writes_refused(table: str):
    """Every write to ``table`` fails, as on a full disk or a read-only database file.

    SQLite: the connection turns query-only. PostgreSQL: a trigger answers each write
    with "disk full" (SQLSTATE 53100); the test's transaction rolls it back afterwards.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_write() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = '53100'; "
                "END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_write BEFORE INSERT OR UPDATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION refuse_write()"
            )
    try:
        yield
    finally:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA query_only = OFF")


@contextlib.contextmanager
def database_unreachable():
    """Every query fails as it does when the database server is down or cut off.

    The test's own connection stays open (its transaction is rolled back afterwards);
    each statement sent through Django raises OperationalError, like a refused or
    dropped connection.
    """
    from unittest import mock

    from django.db import OperationalError
    from django.db.backends.utils import CursorWrapper

    def refuse(self, sql, params=None, *args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.5 failed: Connection refused")

    with (
        mock.patch.object(CursorWrapper, "execute", refuse),
        mock.patch.object(CursorWrapper, "executemany", refuse),
    ):
        yield
