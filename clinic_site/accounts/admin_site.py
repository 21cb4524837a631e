"""The admin site: every page needs a password *and* a code from an authenticator app.

The admin holds patients' contact requests, so the second factor guards the whole site
rather than some models: a staff member who has not verified a TOTP device in this
session is treated as if they were not staff at all, and lands on the login page.
"""

from django import forms
from django.contrib.auth.signals import user_login_failed
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


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
