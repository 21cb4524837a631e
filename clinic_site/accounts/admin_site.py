"""The admin site: every page needs a password *and* a code from an authenticator app.

The admin holds patients' contact requests, so the second factor guards the whole site
rather than some models: a staff member who has not verified a TOTP device in this
session is treated as if they were not staff at all, and lands on the login page.
"""

from functools import partial

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from clinic_site.readership.views import readership_csv, readership_page

from .dashboard import can_see_dashboard, dashboard_view


class ClinicAuthenticationForm(OTPAdminAuthenticationForm):
    """Username, password and the current code, on one page, in one submission.

    Differences from django-otp's admin form:

    * The code is checked against each of the staff member's authenticators; nobody
      picks a device, and django-otp's challenge and device fields are gone, so no
      request can reach its device-specific messages.
    * Every failure after the password (no code, wrong code, a throttled device, no
      authenticator at all) counts as a failed login for django-axes, so guessing
      codes is throttled like guessing passwords, and shows the same message as a
      wrong password: the page never confirms that a guessed password was right.
    * The password is never written back into the page after a failure.
    """

    NOT_CORRECT = (
        "Your username, password or code was not correct. Codes change every 30 "
        "seconds: use the one your authenticator app shows now."
    )
    error_messages = {
        **OTPAdminAuthenticationForm.error_messages,
        "invalid_login": NOT_CORRECT,
    }
    otp_device = None
    otp_challenge = None

    otp_token = forms.CharField(
        required=False,
        label="Code from your authenticator app",
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "size": 8,
            }
        ),
    )

    def clean_otp(self, user):
        if user is None:
            return
        token = (self.cleaned_data.get("otp_token") or "").strip()
        # verify_token() refuses while a device is throttled after failed codes, and
        # counts this failure; which of these happened is never said.
        device = next(
            (
                device
                for device in devices_for_user(user, confirmed=True)
                if token and device.verify_token(token)
            ),
            None,
        )
        if device is None:
            # The password was right but the second factor was not: a failed login all
            # the same. django-axes counts it; the audit log records it.
            user_login_failed.send(
                sender=type(self),
                credentials={"username": user.get_username()},
                request=self.request,
            )
            raise forms.ValidationError(self.NOT_CORRECT, code="invalid_login")
        user.otp_device = device


class ClinicAdminSite(OTPAdminSite):
    site_header = "Clinic website administration"
    site_title = "Clinic website admin"
    index_title = "Contact requests and articles"
    login_form = ClinicAuthenticationForm
    login_template = "admin/login.html"

    def __init__(self, name="admin"):
        # OTPAdminSite defaults its name to "otpadmin"; keep "admin" so every
        # reverse("admin:...") in the project and in third-party apps still works.
        super().__init__(name)

    def get_urls(self):
        return [
            path(
                "dashboard/",
                self.admin_view(partial(dashboard_view, admin_site=self)),
                name="dashboard",
            ),
            path(
                "readership/",
                self.admin_view(partial(readership_view, admin_site=self)),
                name="readership",
            ),
            path(
                "readership.csv",
                self.admin_view(partial(readership_view, admin_site=self, as_csv=True)),
                name="readership_csv",
            ),
            *super().get_urls(),
        ]

    def each_context(self, request):
        context = super().each_context(request)
        # Not on the login page of someone who has a password but no second factor yet.
        verified = self.has_permission(request)
        context.update(open_urgent_context(request) if verified else {"open_urgent_requests": None})
        context["clinic_time_zone"] = settings.TIME_ZONE
        context["sees_dashboard"] = verified and can_see_dashboard(request.user)
        return context


def readership_view(request, *, admin_site, as_csv=False):
    """The readership figures (clinic_site/readership), for the dashboard's people."""
    if not can_see_dashboard(request.user):
        raise PermissionDenied
    if as_csv:
        return readership_csv(request)
    return readership_page(request, context=admin_site.each_context(request))


def open_urgent_context(request) -> dict:
    """The number of open urgent requests, for the banner on every staff page.

    Only for people who can read contact requests (never Editors); counted over the
    whole queue, so no search or filter can hide it. The model is looked up by name:
    this app sits beside intake and does not import it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("intake.view_contactrequest"):
        return {"open_urgent_requests": None}
    ContactRequest = apps.get_model("intake", "ContactRequest")
    return {
        "open_urgent_requests": ContactRequest.objects.open_urgent().count(),
        "open_urgent_url": reverse("admin:intake_contactrequest_changelist")
        + "?attention=urgent&clear_search=1",
    }
