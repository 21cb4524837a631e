"""Staff accounts with a working second factor, for tests that go through the admin.

Every admin page needs a verified TOTP device (clinic_site/accounts/admin_site.py), so
``client.force_login(user)`` alone only reaches the admin's login page. Use:

    user, token = make_staff("desk", groups=["Front desk"])
    login_to_admin(client, "desk", token())          # the real login form, 302 on success

or the ``admin_client_with_otp`` fixture (a superuser, fully logged in). Browser tests
type ``STAFF_PASSWORD`` and ``token()`` into the login page. ``token()`` never returns a
code the device has already accepted, since TOTP refuses a code twice.
"""

import contextlib
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

STAFF_PASSWORD = "correct-horse-battery-staple-42"


def make_staff(
    username: str,
    *,
    groups=(),
    password: str = STAFF_PASSWORD,
    superuser: bool = False,
    with_device: bool = True,
):
    """A staff user and a function returning a valid code for their authenticator.

    ``groups`` are created when missing. With ``with_device=False`` the user has no
    authenticator and ``token`` is None: such a user cannot get into the admin.
    """
    user = get_user_model().objects.create_user(
        username,
        email=f"{username}@clinic.example",
        password=password,
        is_staff=True,
        is_superuser=superuser,
    )
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    if not with_device:
        return user, None
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user, lambda: totp_token(device)


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


def force_login_verified(client, user) -> None:
    """Log ``user`` in and mark the session as verified by their first device.

    Quicker than the form, for tests about what happens *after* login.
    """
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    if device is None:
        raise ValueError(f"{user} has no confirmed authenticator; use make_staff().")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def make_reviewer(
    username: str = "reviewer",
    *,
    display_name: str = "Dr A. Example",
    credentials: str = "MD, psychiatrist",
):
    """A member of the "Clinical reviewer" role with the staff profile a sign-off needs."""
    from clinic_site.accounts.models import StaffProfile
    from clinic_site.accounts.roles import CLINICAL_REVIEWER, setup_roles

    setup_roles()
    user, token = make_staff(username, groups=[CLINICAL_REVIEWER])
    StaffProfile.objects.create(user=user, display_name=display_name, credentials=credentials)
    return user, token


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
