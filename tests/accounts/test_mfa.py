"""The whole admin needs a password and a code from an authenticator app."""

import pytest
from django.contrib import admin
from django.contrib.sessions.backends.cached_db import KEY_PREFIX as SESSION_CACHE_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from clinic_site.accounts.admin_site import TwoFactorAdminSite
from tests.factories import make_contact_request, make_staff
from tests.helpers import STAFF_PASSWORD, force_login_verified, login_to_admin

pytestmark = pytest.mark.django_db

PATIENT_NAME = "Jordan Example-Patient"


def contact_request():
    return make_contact_request(name=PATIENT_NAME)


def change_url(request):
    return reverse("admin:intake_contactrequest_change", args=[request.pk])


def test_the_default_admin_site_is_the_two_factor_site():
    assert isinstance(admin.site, TwoFactorAdminSite)
    assert reverse("admin:index") == "/admin/"


def test_staff_logged_in_with_a_password_only_sees_neither_index_nor_contact_request(client):
    user, _ = make_staff("desk", superuser=True)
    request = contact_request()
    client.force_login(user)  # password only: no device verified in this session

    for url in (reverse("admin:index"), change_url(request)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
        assert PATIENT_NAME not in response.content.decode()


def test_the_login_form_refuses_a_correct_password_without_a_code(client):
    user, _ = make_staff("desk", superuser=True)
    request = contact_request()

    response = login_to_admin(client, "desk", "")

    assert response.status_code == 200  # the form again, with an error
    assert "not correct" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(change_url(request)).status_code == 302


def test_the_login_form_refuses_a_wrong_code(client):
    _, token = make_staff("desk", superuser=True)
    good = token()
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"

    response = login_to_admin(client, "desk", wrong)

    assert response.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_staff_without_an_authenticator_cannot_log_in(client):
    make_staff("new-starter", superuser=True, with_device=False)

    response = login_to_admin(client, "new-starter", "123456")

    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_password_and_current_code_open_the_admin_and_the_contact_request(client):
    _, token = make_staff("desk", superuser=True)
    request = contact_request()

    response = login_to_admin(client, "desk", token())

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    page = client.get(change_url(request))
    assert page.status_code == 200
    assert PATIENT_NAME in page.content.decode()


def test_a_code_cannot_be_used_twice(client):
    _, token = make_staff("desk", superuser=True)
    code = token()
    assert login_to_admin(client, "desk", code).status_code == 302
    client.logout()

    assert login_to_admin(client, "desk", code).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_login_page_never_writes_the_password_back_into_the_page(client):
    make_staff("desk", superuser=True)

    response = login_to_admin(client, "desk", "000000")

    assert STAFF_PASSWORD not in response.content.decode()


def test_the_login_page_asks_for_the_code_as_a_one_time_code(client):
    page = client.get(reverse("admin:login")).content.decode()

    assert 'name="otp_token"' in page
    assert 'autocomplete="one-time-code"' in page


def test_the_verified_helper_fixture_reaches_the_contact_request(admin_client_with_otp):
    request = contact_request()

    assert admin_client_with_otp.get(change_url(request)).status_code == 200


def test_force_login_verified_marks_the_session_verified(client):
    user, _ = make_staff("desk", superuser=True)
    force_login_verified(client, user)

    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_sessions_end_after_the_idle_timeout(client, settings):
    user, _ = make_staff("desk", superuser=True)
    force_login_verified(client, user)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 30 * 60

    # Every request pushes the expiry out by the idle timeout again ...
    session_key = client.session.session_key
    Session.objects.filter(session_key=session_key).update(
        expire_date=timezone.now() + timezone.timedelta(minutes=1)
    )
    client.get(reverse("admin:index"))
    renewed = Session.objects.get(session_key=session_key).expire_date
    assert renewed > timezone.now() + timezone.timedelta(minutes=29)

    # ... and once it has passed, the session is gone.
    Session.objects.filter(session_key=session_key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    if settings.SESSION_ENGINE.endswith("cached_db"):
        caches[settings.SESSION_CACHE_ALIAS].delete(SESSION_CACHE_PREFIX + session_key)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    "extra",
    [
        {"otp_challenge": "1"},
        {"otp_device": "x"},
        {"otp_device": "otp_totp.totpdevice/1", "otp_challenge": "1"},
    ],
    ids=["challenge", "chosen-device", "device-and-challenge"],
)
def test_a_correct_password_gets_the_same_message_whatever_otp_fields_are_sent(client, extra):
    make_staff("desk", superuser=True)
    wrong_password = client.post(
        reverse("admin:login"), {"username": "desk", "password": "wrong", "otp_token": ""}
    )

    probe = client.post(
        reverse("admin:login"),
        {"username": "desk", "password": STAFF_PASSWORD, "otp_token": "", **extra},
    )

    assert probe.status_code == 200
    assert errors_of(probe) == errors_of(wrong_password)
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_throttled_codes_get_the_same_message_as_a_wrong_password(client):
    make_staff("desk", superuser=True)
    wrong_password = client.post(
        reverse("admin:login"), {"username": "desk", "password": "wrong", "otp_token": "000000"}
    )

    for _ in range(2):  # the second within a second is throttled by django-otp
        probe = login_to_admin(client, "desk", "000000")

    assert errors_of(probe) == errors_of(wrong_password)


def errors_of(response) -> list[str]:
    form = response.context["form"]
    return [str(error) for errors in form.errors.values() for error in errors]
