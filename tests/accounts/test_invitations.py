"""Staff join by invitation: a signed, single-use link that expires after 72 hours, where
they set a password and enrol an authenticator by QR code. No shell, no hex keys."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic_site.accounts.models import Invitation
from clinic_site.accounts.roles import EDITOR, FRONT_DESK, ROLE_PERMISSIONS, setup_roles
from tests.factories import make_member, make_staff
from tests.helpers import STAFF_PASSWORD, force_login_verified, login_to_admin

pytestmark = pytest.mark.django_db

INVITE = reverse("admin:accounts_invitation_add")
NEW_PASSWORD = "plum-ladder-orbit-canvas-9"


def invite(client, email="new.colleague@clinic.example", role=FRONT_DESK):
    return client.post(INVITE, {"email": email, "role": role})


def link_in(message) -> str:
    return re.search(r"https?://\S+/staff/join/\S+/", message.body).group(0)


def invitation_in(message) -> Invitation | None:
    """The invitation the email's link opens. Links are compared by what they open, not
    as text: the signature carries the second it was made, which may have turned."""
    return Invitation.from_token(link_in(message).rstrip("/").rsplit("/", 1)[1])


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def code_for(client, invitation, *, steps_ahead: int = 0) -> str:
    key = client.session[f"accounts:invitation:{invitation.pk}:device_key"]
    totp = TOTP(bytes.fromhex(key))
    totp.time = totp.time + 30 * steps_ahead
    return f"{totp.token():06d}"


def join(client, url, invitation, **fields):
    client.get(url)  # the page makes the key and shows the QR code
    data = {
        "username": "newdesk",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "otp_token": code_for(client, invitation),
    }
    data.update(fields)
    return client.post(url, data)


def test_a_staff_manager_invites_a_colleague_with_a_role_by_email(manager):
    response = invite(manager)

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("new.colleague@clinic.example", FRONT_DESK)
    assert invitation.invited_by == manager.user
    (message,) = mail.outbox
    assert message.to == ["new.colleague@clinic.example"]
    assert link_in(message).startswith(f"{settings.SITE_URL}/staff/join/")
    assert invitation_in(message) == invitation
    assert "72 hours" in message.body


def test_the_roles_offered_are_the_ones_in_roles_py(manager):
    page = manager.get(INVITE).content.decode()

    offered = re.findall(r'<option value="([^"]+)"', page)
    assert offered == list(ROLE_PERMISSIONS)


@pytest.mark.parametrize("role", [FRONT_DESK, EDITOR])
def test_staff_without_manage_staff_cannot_invite(client, role):
    user, _ = make_member(role, "someone")
    force_login_verified(client, user)

    assert client.get(INVITE).status_code == 403
    assert invite(client).status_code == 403
    assert not Invitation.objects.exists()


def test_the_invitee_sets_a_password_enrols_by_qr_code_and_can_log_in(manager, client):
    invite(manager)
    invitation = Invitation.objects.get()
    url = path_of(link_in(mail.outbox[0]))
    manager.logout()

    page = client.get(url).content.decode()
    assert "<svg" in page and 'aria-label="QR code' in page
    assert 'name="key"' not in page and not re.search(r"\b[0-9a-f]{40}\b", page)
    response = join(client, url, invitation)

    assert response.status_code == 200 and "You are set up" in response.content.decode()
    user = get_user_model().objects.get(username="newdesk")
    assert user.is_staff and not user.is_superuser
    assert user.email == "new.colleague@clinic.example"
    assert [group.name for group in user.groups.all()] == [FRONT_DESK]
    assert TOTPDevice.objects.get(user=user).confirmed
    # First login: password and the next code from the same app.
    login = login_to_admin(client, "newdesk", code_for_device(user), password=NEW_PASSWORD)
    assert login.status_code == 302
    assert client.get(reverse("admin:intake_contactrequest_changelist")).status_code == 200


def code_for_device(user) -> str:
    from tests.helpers import totp_token

    return totp_token(TOTPDevice.objects.get(user=user))


def test_an_invitation_link_works_only_once(manager, client):
    invite(manager)
    invitation = Invitation.objects.get()
    url = invitation.get_accept_url()
    manager.logout()
    join(client, url, invitation)

    response = client.get(url)

    assert response.status_code == 404
    assert "does not work" in response.content.decode()
    assert get_user_model().objects.filter(username="newdesk").count() == 1


@pytest.mark.parametrize(("hours", "works"), [(71, True), (73, False)])
def test_an_invitation_link_expires_after_72_hours(manager, client, hours, works):
    invite(manager)
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )

    assert invitation.get_accept_url()  # the signature itself is fresh ...
    response = client.get(invitation.get_accept_url())

    assert (response.status_code == 200) is works  # ... the invitation's age decides


def test_a_forged_or_altered_link_does_not_work(manager, client):
    invite(manager)
    url = Invitation.objects.get().get_accept_url()

    assert client.get(url[:-3] + "xyz/").status_code == 404
    assert client.get("/staff/join/not-a-token/").status_code == 404


def test_a_wrong_code_creates_nothing_and_keeps_the_invitation(manager, client):
    invite(manager)
    invitation = Invitation.objects.get()
    url = invitation.get_accept_url()
    manager.logout()
    client.get(url)

    response = join(client, url, invitation, otp_token=code_for(client, invitation, steps_ahead=5))

    assert "That code was not correct." in response.content.decode()
    assert 'value="newdesk"' in response.content.decode()  # what they typed is kept
    assert not get_user_model().objects.filter(username="newdesk").exists()
    assert Invitation.objects.get().accepted_at is None
    assert join(client, url, invitation).status_code == 200  # and they can try again
    assert get_user_model().objects.filter(username="newdesk").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password2": "something-else-entirely-1"}, "The two passwords are different."),
        ({"password1": "short", "password2": "short"}, "too short"),
        ({"username": "manager"}, "That username is taken"),
    ],
)
def test_bad_account_details_are_explained_and_nothing_is_stored(manager, client, fields, message):
    invite(manager)
    invitation = Invitation.objects.get()
    manager.logout()

    response = join(client, invitation.get_accept_url(), invitation, **fields)

    assert message in response.content.decode()
    assert get_user_model().objects.count() == 1  # the manager only
    assert Invitation.objects.get().accepted_at is None


def test_add_user_is_gone_so_no_account_without_an_authenticator_is_made(admin_client_with_otp):
    assert admin_client_with_otp.get(reverse("admin:auth_user_add")).status_code == 403
    page = admin_client_with_otp.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "Add user" not in page
    assert "icon-yes.svg" not in page and "icon-no.svg" not in page  # words, not ticks


def test_no_page_shows_an_authenticators_secret_key(admin_client_with_otp):
    device = TOTPDevice.objects.get(user=admin_client_with_otp.user)

    for url in (
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
    ):
        page = admin_client_with_otp.get(url).content.decode()
        assert device.key not in page
        assert 'name="key"' not in page
    assert admin_client_with_otp.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403


def test_resetting_a_lost_authenticator_is_an_admin_action_that_is_recorded(manager, client):
    lost, _ = make_staff("lostphone", groups=[FRONT_DESK])

    response = manager.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_authenticator", "_selected_action": [lost.pk], "index": 0},
    )
    # First a confirmation: nothing is reset until it is confirmed.
    assert response.status_code == 200
    assert "Reset the authenticator app?" in response.content.decode()
    assert TOTPDevice.objects.filter(user=lost).exists()
    assert mail.outbox == []

    response = manager.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_authenticator", "_selected_action": [lost.pk], "confirm": "yes"},
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=lost).exists()
    entry = LogEntry.objects.get(object_id=str(lost.pk))
    assert entry.user == manager.user and "authenticator" in entry.get_change_message()
    invitation = Invitation.objects.get(user=lost)
    assert invitation_in(mail.outbox[0]) == invitation
    # The lost-phone link sets up a new authenticator only; the password stays.
    manager.logout()
    page = client.get(invitation.get_accept_url()).content.decode()
    assert 'name="password1"' not in page
    client.post(invitation.get_accept_url(), {"otp_token": code_for(client, invitation)})
    assert TOTPDevice.objects.get(user=lost).confirmed
    assert (
        login_to_admin(
            client, "lostphone", code_for_device(lost), password=STAFF_PASSWORD
        ).status_code
        == 302
    )


def test_only_staff_managers_may_reset_an_authenticator(client):
    setup_roles()
    user, _ = make_staff("boss-without-manage")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    force_login_verified(client, user)
    other, _ = make_staff("other")

    page = client.get(reverse("admin:auth_user_changelist")).content.decode()
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_authenticator", "_selected_action": [other.pk], "index": 0},
    )

    assert 'value="reset_authenticator"' not in page
    assert TOTPDevice.objects.filter(user=other).exists()


def test_a_clinical_reviewer_gives_name_and_credentials_on_joining_and_can_sign_off(
    manager, client
):
    from clinic_site.accounts.roles import CLINICAL_REVIEWER
    from clinic_site.articles.review import can_sign_off, reviewer_name

    invite(manager, email="dr.new@clinic.example", role=CLINICAL_REVIEWER)
    invitation = Invitation.objects.get()
    url = path_of(link_in(mail.outbox[0]))
    manager.logout()

    page = client.get(url).content.decode()
    assert "Your name as readers see it" in page and "Your credentials" in page
    missing = join(client, url, invitation, username="drnew")
    assert "Your credentials: This field is required." in missing.content.decode()
    assert not get_user_model().objects.filter(username="drnew").exists()

    response = join(
        client,
        url,
        invitation,
        username="drnew",
        display_name="Dr N. Example",
        credentials="MD, psychiatrist",
    )

    assert response.status_code == 200
    user = get_user_model().objects.get(username="drnew")
    assert reviewer_name(user) == "Dr N. Example, MD, psychiatrist"
    assert can_sign_off(user)


def test_other_roles_are_not_asked_for_credentials(manager, client):
    invite(manager)
    url = path_of(link_in(mail.outbox[0]))
    manager.logout()

    page = client.get(url).content.decode()

    assert "Your credentials" not in page
