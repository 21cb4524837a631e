"""Staff beyond their login: invitations, and how a member of staff is named in public.

Invitations: how a colleague joins the staff without anyone opening a server shell.

Someone with "manage staff" invites a work email address with a role. The invitee gets
a signed link, valid for INVITATION_VALID_HOURS and once only, where they choose a
username and password and enrol an authenticator app by scanning a QR code; only then
does their account exist, so there is never an account that cannot log in.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from clinic_site.core.models import recorded_staff_member

from .roles import ROLE_PERMISSIONS

INVITATION_VALID_HOURS = 72
_SALT = "clinic_site.accounts.invitation"


class InvitationQuerySet(models.QuerySet):
    def usable(self, *, now=None):
        cutoff = (now or timezone.now()) - timedelta(hours=INVITATION_VALID_HOURS)
        return self.filter(accepted_at__isnull=True, created_at__gte=cutoff)


class Invitation(models.Model):
    email = models.EmailField("work email address")
    # A group name from roles.py. Not a choices field, so a role added there (the
    # clinical reviewer, say) is offered without a migration.
    role = models.CharField(max_length=80)
    invited_by = recorded_staff_member()
    created_at = models.DateTimeField("sent", default=timezone.now, editable=False)
    accepted_at = models.DateTimeField("accepted", null=True, blank=True, editable=False)
    user = recorded_staff_member(
        "The account it is for: made on acceptance, or, for a new authenticator after a "
        "lost phone, the existing account.",
        optional=True,
        on_delete=models.SET_NULL,
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("manage_staff", "Can invite staff and reset their authenticator apps"),
        ]

    def __str__(self):
        return f"Invitation to {self.email} ({self.role})"

    def clean(self):
        if self.role not in ROLE_PERMISSIONS:
            raise ValidationError({"role": f"Choose one of: {', '.join(ROLE_PERMISSIONS)}."})

    @property
    def expires_at(self):
        return self.created_at + timedelta(hours=INVITATION_VALID_HOURS)

    def is_usable(self, *, now=None) -> bool:
        return self.accepted_at is None and (now or timezone.now()) <= self.expires_at

    @property
    def token(self) -> str:
        return signing.TimestampSigner(salt=_SALT).sign_object({"invitation": self.pk})

    def get_accept_url(self) -> str:
        return reverse("accounts:join", args=[self.token])

    @classmethod
    def from_token(cls, token: str) -> "Invitation | None":
        """The usable invitation this link is for, or None (forged, expired or used)."""
        try:
            data = signing.TimestampSigner(salt=_SALT).unsign_object(
                token, max_age=timedelta(hours=INVITATION_VALID_HOURS)
            )
        except (signing.BadSignature, ValueError, TypeError):
            return None
        invitation = cls.objects.filter(pk=data.get("invitation")).first()
        if invitation is None or not invitation.is_usable():
            return None
        return invitation


class StaffProfile(models.Model):
    """How a member of staff is named in public: a clinical reviewer's sign-off shows
    "Reviewed by <display name>, <credentials>" on the article page."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    display_name = models.CharField(
        max_length=80, help_text="As readers should see it, e.g. “Dr A. Example”."
    )
    credentials = models.CharField(
        max_length=80,
        blank=True,
        help_text="Qualifications and role, e.g. “MD, psychiatrist”. Required for "
        "clinical reviewers: it is printed next to their sign-off.",
    )

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.public_name

    @property
    def public_name(self) -> str:
        return ", ".join(part for part in (self.display_name, self.credentials) if part)


def signing_name(user) -> str:
    """How ``user`` is named beside a clinical sign-off ("Dr A. Example, MD,
    psychiatrist"), or "" when they have no profile with both a display name and
    credentials, and so cannot sign off."""
    if not user.pk:  # AnonymousUser
        return ""
    try:
        profile = user.staff_profile  # select_related("staff_profile") spares a query
    except StaffProfile.DoesNotExist:
        return ""
    if not (profile.display_name.strip() and profile.credentials.strip()):
        return ""
    return profile.public_name
