"""What the site needs to know about a member of staff beyond their login."""

from django.conf import settings
from django.db import models


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
