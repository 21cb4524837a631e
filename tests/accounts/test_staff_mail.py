"""Staff actions that email a link: never a silent failure, never a second account.

The mail server is faked at its boundary (the locmem backend's send_messages raises
what smtplib raises when the server is down)."""

import logging
from datetime import timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic_site.accounts.invitations import InvitationError, accept_invitation
from clinic_site.accounts.models import Invitation
from clinic_site.accounts.roles import FRONT_DESK
from tests.accounts.test_invitations import invitation_in
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"
MAIL_DOWN = SMTPServerDisconnected("Connection unexpectedly closed")
INVITE = reverse("admin:accounts_invitation_add")
USERS = reverse("admin:auth_user_changelist")
INVITATIONS = reverse("admin:accounts_invitation_changelist")


def messages_on(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


# --- Mail that cannot be sent -------------------------------------------------------------


def test_an_invitation_while_mail_is_down_is_not_stored_and_says_so(manager, caplog):
    with mock.patch(SEND, side_effect=MAIL_DOWN), caplog.at_level(logging.INFO):
        response = manager.post(
            INVITE, {"email": "new@clinic.example", "role": FRONT_DESK}, follow=True
        )

    assert response.status_code == 200
    assert "was not sent" in messages_on(response)
    assert "nothing was changed" in messages_on(response)
    assert Invitation.objects.count() == 0  # no "Waiting" invitation nobody received
    assert not LogEntry.objects.exists()
    (failure,) = [r for r in caplog.records if r.event == "staff.invitation_not_sent"]
    assert failure.error_type == "SMTPServerDisconnected"
    assert "new@clinic.example" not in failure.getMessage()


def test_an_authenticator_reset_while_mail_is_down_locks_nobody_out(manager, caplog):
    colleague, _ = make_staff("colleague", groups=[FRONT_DESK])

    with mock.patch(SEND, side_effect=MAIL_DOWN), caplog.at_level(logging.INFO):
        response = manager.post(
            USERS,
            {"action": "reset_authenticator", "_selected_action": [colleague.pk], "confirm": "yes"},
            follow=True,
        )

    assert response.status_code == 200
    assert "Not reset: colleague." in messages_on(response)
    assert "current authenticator app still works" in messages_on(response)
    assert TOTPDevice.objects.filter(user=colleague, confirmed=True).exists()
    assert not Invitation.objects.exists()
    assert [r.outcome for r in caplog.records if r.event == "staff.authenticator_reset"] == [
        "not_reset_mail_failed"
    ]


def test_resending_while_mail_is_down_keeps_the_old_invitation(manager):
    invitation = Invitation.objects.create(
        email="late@clinic.example", role=FRONT_DESK, invited_by=manager.user
    )

    with mock.patch(SEND, side_effect=MAIL_DOWN):
        response = manager.post(
            INVITATIONS, {"action": "resend", "_selected_action": [invitation.pk]}, follow=True
        )

    assert "was not resent" in messages_on(response)
    assert list(Invitation.objects.all()) == [invitation]


# --- One account per person ---------------------------------------------------------------


def test_inviting_an_address_that_has_an_account_says_so_and_makes_nothing(manager):
    colleague, _ = make_staff("colleague", groups=[FRONT_DESK])

    response = manager.post(INVITE, {"email": "COLLEAGUE@clinic.example", "role": FRONT_DESK})

    assert response.status_code == 200
    page = response.content.decode()
    assert "already has a staff account (colleague)" in page
    assert reverse("admin:auth_user_change", args=[colleague.pk]) in page
    assert not Invitation.objects.exists()
    assert mail.outbox == []
    assert get_user_model().objects.filter(email__iexact="colleague@clinic.example").count() == 1


def test_inviting_an_address_already_invited_offers_a_resend(manager):
    earlier = Invitation.objects.create(
        email="new@clinic.example",
        role=FRONT_DESK,
        invited_by=manager.user,
        created_at=timezone.now() - timedelta(days=5),
    )

    response = manager.post(INVITE, {"email": "new@clinic.example", "role": FRONT_DESK})

    page = response.content.decode()
    assert "is expired" in page
    assert reverse("admin:accounts_invitation_resend", args=[earlier.pk]) in page
    assert Invitation.objects.count() == 1


def test_an_invitation_cannot_make_a_second_account_for_one_address(manager):
    make_staff("colleague", groups=[FRONT_DESK])
    # Sent before the colleague's account existed (the form now refuses it).
    invitation = Invitation.objects.create(
        email="colleague@clinic.example", role=FRONT_DESK, invited_by=manager.user
    )

    with pytest.raises(InvitationError, match="exists already"):
        accept_invitation(invitation=invitation, key="00" * 20, code="000000", username="c2")

    assert get_user_model().objects.filter(username="c2").count() == 0
    assert Invitation.objects.get().accepted_at is None


# --- Expired invitations can be resent ----------------------------------------------------


def test_an_expired_invitation_is_resent_with_a_new_link_and_the_old_one_stops(manager, client):
    sent = timezone.now() - timedelta(hours=80)
    with time_machine.travel(sent, tick=False):
        old = Invitation.objects.create(
            email="late@clinic.example", role=FRONT_DESK, invited_by=manager.user
        )
        old_url = old.get_accept_url()
    listing = manager.get(INVITATIONS).content.decode()
    assert "Expired: select it and choose “Resend”" in listing

    response = manager.post(reverse("admin:accounts_invitation_resend", args=[old.pk]), follow=True)

    assert "Invitation resent to late@clinic.example" in messages_on(response)
    fresh = Invitation.objects.get()
    assert fresh.pk != old.pk and fresh.is_usable() and fresh.role == FRONT_DESK
    (message,) = mail.outbox
    assert invitation_in(message) == fresh
    assert client.get(old_url).status_code == 404
    assert client.get(fresh.get_accept_url()).status_code == 200


def test_a_used_invitation_is_not_resent(manager):
    used = Invitation.objects.create(
        email="done@clinic.example",
        role=FRONT_DESK,
        invited_by=manager.user,
        accepted_at=timezone.now(),
    )

    response = manager.post(
        INVITATIONS, {"action": "resend", "_selected_action": [used.pk]}, follow=True
    )

    assert "has been used already" in messages_on(response)
    assert mail.outbox == []
