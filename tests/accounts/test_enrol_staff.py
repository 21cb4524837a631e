"""`manage.py enrol_staff`: how the first staff member (and every later one) gets in."""

import io
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.helpers import login_to_admin, totp_token

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-passphrase-7"


def enrol(*args, password=PASSWORD, monkeypatch=None):
    if monkeypatch is not None and password is not None:
        monkeypatch.setenv("ENROL_STAFF_PASSWORD", password)
    out = io.StringIO()
    call_command("enrol_staff", *args, stdout=out)
    return out.getvalue()


def test_enrolment_creates_staff_that_can_log_in_with_the_printed_secret(client, monkeypatch):
    output = enrol(
        "alice", "--email", "alice@clinic.example", "--superuser", monkeypatch=monkeypatch
    )

    user = get_user_model().objects.get(username="alice")
    assert user.is_staff and user.is_superuser and user.email == "alice@clinic.example"
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    uri = next(line for line in output.splitlines() if line.startswith("otpauth://totp/"))
    assert uri == device.config_url
    assert parse_qs(urlparse(uri).query)["issuer"] == ["Example Infusion Clinic"]
    assert "█" in output  # the QR code, drawn in the terminal
    assert PASSWORD not in output

    response = login_to_admin(client, "alice", totp_token(device), password=PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_password_file_works_for_automation(tmp_path):
    secret_file = tmp_path / "password"
    secret_file.write_text(PASSWORD + "\n")

    enrol("bob", "--password-file", str(secret_file), password=None)

    assert get_user_model().objects.get(username="bob").check_password(PASSWORD)


def test_a_weak_password_is_refused(monkeypatch):
    with pytest.raises(CommandError, match="Password refused"):
        enrol("carol", password="password", monkeypatch=monkeypatch)
    assert not get_user_model().objects.filter(username="carol").exists()


def test_without_a_terminal_or_password_source_it_refuses(monkeypatch):
    monkeypatch.delenv("ENROL_STAFF_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="No password given"):
        enrol("dave", password=None)


def test_enrolling_again_needs_replace_device_and_the_old_code_stops_working(monkeypatch):
    enrol("erin", monkeypatch=monkeypatch)
    old = TOTPDevice.objects.get(user__username="erin")

    with pytest.raises(CommandError, match="--replace-device"):
        enrol("erin", "--keep-password", password=None)

    enrol("erin", "--keep-password", "--replace-device", password=None)
    devices = TOTPDevice.objects.filter(user__username="erin")
    assert devices.count() == 1
    assert devices.get().key != old.key
    assert get_user_model().objects.get(username="erin").check_password(PASSWORD)


def test_groups_must_exist(monkeypatch):
    with pytest.raises(CommandError, match="setup_roles"):
        enrol("fay", "--group", "No Such Role", monkeypatch=monkeypatch)

    Group.objects.create(name="Front desk")
    enrol("fay", "--group", "Front desk", monkeypatch=monkeypatch)
    assert get_user_model().objects.get(username="fay").groups.filter(name="Front desk").exists()
