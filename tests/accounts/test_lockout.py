"""Login throttling: a username is locked from one address, for a while, after N failures.

Also: every attempt, good or bad, leaves one log line, and no password or code is in any
of them or in what django-axes stores.
"""

import json
import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from clinic_site.core.logging import JsonFormatter
from tests.factories import make_staff
from tests.helpers import STAFF_PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
CLINIC = "198.51.100.20"
WRONG_PASSWORD = "Hunter2-guess-SECRET"


def attempt(client, username, password, code="000000", *, address, forwarded=None):
    headers = {"REMOTE_ADDR": address}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "otp_token": code},
        **headers,
    )


def fail_until_locked(client, settings, username="desk", **where):
    responses = [
        attempt(client, username, WRONG_PASSWORD, **where)
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert all(r.status_code == 200 for r in responses[:-1]), "locked out too early"
    return responses[-1]


def test_the_limit_is_finite_and_keyed_on_username_and_address_together(settings):
    assert 3 <= settings.AXES_FAILURE_LIMIT <= 10
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert timedelta(minutes=1) <= timedelta(hours=settings.AXES_COOLOFF_TIME) <= timedelta(hours=1)


def test_n_bad_logins_lock_that_username_from_that_address(client, settings):
    _, token = make_staff("desk", superuser=True)

    locked = fail_until_locked(client, settings, address=ATTACKER)

    assert locked.status_code == 429
    assert "Too many login attempts" in locked.content.decode()
    # Even the right password and code are refused from there now.
    right = attempt(client, "desk", STAFF_PASSWORD, token(), address=ATTACKER)
    assert right.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_same_username_still_logs_in_from_another_address(client, settings):
    _, token = make_staff("desk", superuser=True)
    fail_until_locked(client, settings, address=ATTACKER)

    response = attempt(client, "desk", STAFF_PASSWORD, token(), address=CLINIC)

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_behind_the_proxy_the_address_is_the_forwarded_client_not_the_proxy(client, settings):
    settings.PROXY_COUNT = 1
    _, token = make_staff("desk", superuser=True)
    # Every request reaches the app from the proxy on 127.0.0.1.
    fail_until_locked(client, settings, address="127.0.0.1", forwarded=ATTACKER)

    # A forged X-Forwarded-For entry (left of the proxy's) does not change who it is ...
    spoofed = attempt(
        client, "desk", WRONG_PASSWORD, address="127.0.0.1", forwarded=f"10.9.9.9, {ATTACKER}"
    )
    assert spoofed.status_code == 429
    # ... and the staff member, arriving through the same proxy, is not locked out.
    ok = attempt(client, "desk", STAFF_PASSWORD, token(), address="127.0.0.1", forwarded=CLINIC)
    assert ok.status_code == 302


def test_a_wrong_code_counts_as_a_failed_login(client, settings):
    make_staff("desk", superuser=True)

    responses = [
        attempt(client, "desk", STAFF_PASSWORD, "000000", address=ATTACKER)
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert responses[-1].status_code == 429


def test_the_lock_lifts_after_the_cool_off(client, settings):
    _, token = make_staff("desk", superuser=True)
    fail_until_locked(client, settings, address=ATTACKER)
    assert attempt(client, "desk", STAFF_PASSWORD, token(), address=ATTACKER).status_code == 429

    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - timedelta(seconds=5))

    response = attempt(client, "desk", STAFF_PASSWORD, token(), address=ATTACKER)
    assert response.status_code == 302


def test_retrying_during_the_lock_does_not_extend_it(client, settings):
    _, token = make_staff("desk", superuser=True)
    fail_until_locked(client, settings, address=ATTACKER)
    locked_at = AccessAttempt.objects.get().attempt_time

    for _ in range(3):
        assert attempt(client, "desk", WRONG_PASSWORD, address=ATTACKER).status_code == 429

    assert AccessAttempt.objects.get().attempt_time == locked_at


@pytest.fixture
def login_log():
    """Every log record, formatted exactly as production writes it to stdout."""
    lines = []
    formatter = JsonFormatter()

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(formatter.format(record))

    handler = Capture(level=logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lines
    root.removeHandler(handler)
    root.setLevel(old_level)


def events(lines):
    parsed = [json.loads(line) for line in lines]
    return [line for line in parsed if line.get("event", "").startswith("login.")]


def test_every_attempt_is_logged_once_without_the_password_or_code(client, settings, login_log):
    _, token = make_staff("desk", superuser=True)
    good_code = token()

    attempt(client, "desk", WRONG_PASSWORD, address=CLINIC)  # wrong password
    attempt(client, "nobody-such", WRONG_PASSWORD, address=CLINIC)  # unknown account
    attempt(client, "desk", STAFF_PASSWORD, good_code, address=CLINIC)  # success
    client.logout()
    attempt(client, "desk", STAFF_PASSWORD, "000000", address=CLINIC)  # wrong code

    logged = events(login_log)
    assert [(e["event"], e["username"]) for e in logged] == [
        ("login.failed", "desk"),
        ("login.failed", "(no such account)"),
        ("login.succeeded", "desk"),
        ("login.failed", "desk"),
    ]
    assert all(e["client"] and CLINIC not in json.dumps(e) for e in logged)
    everything = "\n".join(login_log)
    for secret in (WRONG_PASSWORD, STAFF_PASSWORD, good_code, "000000"):
        assert secret not in everything


def test_a_lockout_is_logged(client, settings, login_log):
    make_staff("desk", superuser=True)
    fail_until_locked(client, settings, address=ATTACKER)

    assert "login.locked_out" in [e["event"] for e in events(login_log)]
    assert ATTACKER not in "\n".join(login_log)


def test_a_password_typed_into_the_username_box_is_not_logged(client, login_log):
    make_staff("desk", superuser=True)

    attempt(client, STAFF_PASSWORD, STAFF_PASSWORD, address=CLINIC)

    assert STAFF_PASSWORD not in "\n".join(login_log)


def test_axes_stores_no_password_or_code(client, settings):
    make_staff("desk", superuser=True)
    attempt(client, "desk", WRONG_PASSWORD, "123456", address=ATTACKER)
    attempt(client, "desk", STAFF_PASSWORD, "654321", address=ATTACKER)

    stored = AccessAttempt.objects.get()
    for secret in (WRONG_PASSWORD, STAFF_PASSWORD, "123456", "654321"):
        assert secret not in stored.post_data
        assert secret not in stored.get_data


def test_lockout_records_keep_no_user_agent_form_fields_or_unknown_usernames(client):
    make_staff("desk")
    typed_password = "my-Secret-passw0rd"  # typed into the username box by mistake

    client.post(
        reverse("admin:login"),
        {"username": typed_password, "password": WRONG_PASSWORD, "otp_token": "000000"},
        REMOTE_ADDR=ATTACKER,
        HTTP_USER_AGENT="Mozilla/5.0 (Example Phone)",
    )
    attempt(client, "desk", WRONG_PASSWORD, address=ATTACKER)

    records = list(AccessAttempt.objects.values())
    stored = json.dumps(records, default=str)
    assert len(records) == 2
    assert typed_password not in stored
    assert "Mozilla" not in stored
    assert {record["get_data"] for record in records} == {""}
    assert {record["post_data"] for record in records} == {""}
    assert {record["username"] for record in records} >= {"desk"}
    unknown = next(record["username"] for record in records if record["username"] != "desk")
    assert unknown.startswith("unknown-")


def test_a_hashed_unknown_username_is_still_locked_out_after_repeated_failures(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "no-such-person", WRONG_PASSWORD, address=ATTACKER)

    response = attempt(client, "no-such-person", WRONG_PASSWORD, address=ATTACKER)

    assert response.status_code == 429
    assert AccessAttempt.objects.get().failures_since_start == settings.AXES_FAILURE_LIMIT


def test_successful_logins_leave_no_lockout_record(client):
    from axes.models import AccessLog

    from tests.helpers import login_to_admin

    _, token = make_staff("desk")
    assert login_to_admin(client, "desk", token()).status_code == 302

    assert not AccessLog.objects.exists()


def test_lockout_records_older_than_the_limit_are_purged_daily(client, settings):
    from clinic_site.core import periodic

    settings.AXES_RECORD_DAYS = 30
    attempt(client, "desk", WRONG_PASSWORD, address=ATTACKER)
    attempt(client, "other", WRONG_PASSWORD, address=CLINIC)
    AccessAttempt.objects.filter(ip_address=ATTACKER).update(
        attempt_time=timezone.now() - timedelta(days=31)
    )

    assert "lockout.purge_old_records" in periodic.run_due()

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLINIC]
