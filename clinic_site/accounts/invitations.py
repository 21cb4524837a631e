"""Inviting staff, accepting an invitation, and resetting a lost authenticator.

Each is one function, run in one transaction. Nothing here logs or emails anything
about patients; the invitation email holds only the link.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic_site.core.logging import failure

from .models import INVITATION_VALID_HOURS, Invitation, StaffProfile

logger = logging.getLogger("clinic_site.accounts.staff")

DEVICE_NAME = "Authenticator app"


class InvitationError(Exception):
    """The invitation cannot be accepted as asked; the message says why, for the invitee."""


class MailNotSent(Exception):
    """The email with the link could not be sent. Whoever called us rolls back, so
    nothing changes: no invitation waits whose link nobody received, and an
    authenticator is never removed without its replacement link on its way."""


def send_invitation(*, invitation: Invitation) -> None:
    """Email the link; raises MailNotSent (after logging it) when the mail server fails."""
    url = settings.SITE_URL + invitation.get_accept_url()
    if invitation.user_id:
        subject = f"{settings.CLINIC_NAME}: set up your authenticator app again"
        what = "set up your authenticator app again for the staff pages"
    else:
        subject = f"{settings.CLINIC_NAME}: you are invited to the staff pages"
        what = f"join the clinic website's staff pages as {invitation.role}"
    try:
        send_mail(
            subject,
            f"You have been asked to {what}.\n\n"
            f"Open this link within {INVITATION_VALID_HOURS} hours; it works once:\n\n{url}\n\n"
            "You will need your phone with an authenticator app (Google Authenticator, "
            "Microsoft Authenticator, 1Password, FreeOTP...). If you did not expect this "
            "email, ignore it.",
            None,
            [invitation.email],
        )
    except Exception as error:
        # Any backend failure (refused connection, SMTP error, timeout): the message of
        # an SMTP error can quote addresses, so only its type is logged.
        logger.error(
            "staff invitation not sent: mail failed",
            extra=failure(
                error, event="staff.invitation_not_sent", user_id=invitation.invited_by_id
            ),
        )
        raise MailNotSent from error
    logger.info(
        "staff invitation sent",
        extra={"event": "staff.invited", "user_id": invitation.invited_by_id},
    )


def new_device(user, key: str) -> TOTPDevice:
    return TOTPDevice(user=user, name=DEVICE_NAME, key=key, confirmed=False)


def accept_invitation(
    *,
    invitation: Invitation,
    key: str,
    code: str,
    username: str = "",
    password: str = "",
    display_name: str = "",
    credentials: str = "",
):
    """Create the account (or, for a reset, only its new authenticator) and use up the
    invitation. The code must come from the authenticator the person just set up with
    ``key``; otherwise nothing is stored."""
    User = get_user_model()
    with transaction.atomic():
        # Single use even with two tabs: only one request can take it.
        taken = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now()
        )
        if not taken:
            raise InvitationError("This invitation has already been used.")
        if invitation.user_id:
            user = invitation.user
        else:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise InvitationError(
                    "An account with this email address exists already. Log in with it, "
                    "or ask whoever invited you to reset its authenticator app."
                )
            if User.objects.filter(username__iexact=username).exists():
                raise InvitationError("That username is taken: choose another.")
            user = User(username=username, email=invitation.email, is_staff=True)
            user.set_password(password)
            user.save()
            group = Group.objects.filter(name=invitation.role).first()
            if group is None:
                raise InvitationError(
                    "Your role is not set up on this site yet. Ask whoever invited you."
                )
            user.groups.add(group)
            Invitation.objects.filter(pk=invitation.pk).update(user=user)
            if display_name.strip():
                StaffProfile.objects.create(
                    user=user, display_name=display_name.strip(), credentials=credentials.strip()
                )
        device = new_device(user, key)
        device.save()
        if not device.verify_token(code):
            raise InvitationError(
                "That code was not correct. Codes change every 30 seconds: enter the one "
                "your app shows now."
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    logger.info(
        "staff invitation accepted",
        extra={"event": "staff.joined", "user_id": user.pk, "username": user.get_username()},
    )
    return user


def invite(*, email: str, role: str, by) -> Invitation:
    """Store an invitation and email its link, together or not at all (MailNotSent)."""
    with transaction.atomic():
        invitation = Invitation.objects.create(email=email, role=role, invited_by=by)
        send_invitation(invitation=invitation)
    return invitation


def resend_invitation(*, invitation: Invitation, by) -> Invitation:
    """A fresh link (another 72 hours) for an invitation not yet used, expired or not.

    The old invitation is withdrawn, so only the newest link works. Raises
    InvitationError for a used one, MailNotSent (changing nothing) when mail fails."""
    if invitation.accepted_at is not None:
        raise InvitationError(f"The invitation to {invitation.email} has been used already.")
    with transaction.atomic():
        fresh = Invitation.objects.create(
            email=invitation.email, role=invitation.role, invited_by=by, user=invitation.user
        )
        Invitation.objects.filter(pk=invitation.pk).delete()
        send_invitation(invitation=fresh)
    return fresh


def reset_authenticator(*, user, by) -> Invitation:
    """Remove a member of staff's authenticators (a lost phone) and send them a link to
    set up a new one. Until they do, they cannot log in.

    When the link cannot be emailed nothing changes (MailNotSent): their old
    authenticator keeps working, rather than locking them out with no way back in."""
    try:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            invitation = Invitation.objects.create(
                email=user.email, role="", invited_by=by, user=user
            )
            send_invitation(invitation=invitation)
    except MailNotSent:
        logger.warning(
            "staff authenticator not reset: the set-up link could not be emailed",
            extra={
                "event": "staff.authenticator_reset",
                "outcome": "not_reset_mail_failed",
                "username": user.get_username(),
                "user_id": by.pk,
            },
        )
        raise
    logger.warning(
        "staff authenticator reset",
        extra={
            "event": "staff.authenticator_reset",
            "username": user.get_username(),
            "user_id": by.pk,
        },
    )
    return invitation
