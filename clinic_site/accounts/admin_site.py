"""The admin site's staff identity: every page needs a password *and* a code from an
authenticator app, and only superusers see Django's internal models.

The admin holds patients' contact requests, so the second factor guards the whole site
rather than some models: a staff member who has not verified a TOTP device in this
session is treated as if they were not staff at all, and lands on the login page.
What the staff pages show (the home's panels, the dashboard) is composed on top of
this site by clinic_site/sitewide/admin_site.py.
"""

from functools import wraps

from django import forms
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
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


# Django's and its add-ons' machinery, not the clinic's work: login lockouts (axes),
# authenticator devices, the task queue, and groups' raw permission lists. Only a
# superuser sees or opens these; everyone else manages staff through the staff pages
# and invitations, in words.
INTERNAL_APP_LABELS = {"axes", "otp_totp", "django_tasks_database"}
INTERNAL_MODELS = {("auth", "group")}


def is_internal(model) -> bool:
    opts = model._meta
    return opts.app_label in INTERNAL_APP_LABELS or (opts.app_label, opts.model_name) in (
        INTERNAL_MODELS
    )


class TwoFactorAdminSite(OTPAdminSite):
    site_header = "Clinic website administration"
    site_title = "Clinic website admin"
    login_form = ClinicAuthenticationForm
    login_template = "admin/login.html"

    def __init__(self, name="admin"):
        # OTPAdminSite defaults its name to "otpadmin"; keep "admin" so every
        # reverse("admin:...") in the project and in third-party apps still works.
        super().__init__(name)

    def _build_app_dict(self, request, label=None):
        # Every list of models (the home page, the side bar, an app's page) is built here.
        app_dict = super()._build_app_dict(request, label)
        if request.user.is_superuser or not app_dict:
            return app_dict
        apps_found = [app_dict] if label else list(app_dict.values())
        for app in apps_found:
            app["models"] = [entry for entry in app["models"] if not is_internal(entry["model"])]
        if label:
            return app_dict if app_dict["models"] else {}
        return {key: app for key, app in app_dict.items() if app["models"]}

    def admin_view(self, view, cacheable=False):
        view = self._forbidden_in_words(_superusers_only_for_internals(view))
        return super().admin_view(view, cacheable)

    def _forbidden_in_words(self, view):
        """A page someone may not open answers with the staff pages' own 403: what
        happened, in words, and the way back, instead of a bare "403 Forbidden"."""

        @wraps(view)
        def answered(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied:
                context = {**self.each_context(request), "title": "You cannot open this page"}
                return TemplateResponse(request, "admin/403.html", context, status=403)

        return answered


def _superusers_only_for_internals(view):
    """A model admin's pages for an internal model answer 403 to anyone but a superuser,
    whatever permissions they were given, so a link or a typed address is no way in."""
    model_admin = getattr(view, "__self__", None)
    model = getattr(model_admin, "model", None)
    if model is None or not is_internal(model):
        return view

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded
