from datetime import timedelta

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "clinic_site.accounts"
    verbose_name = "Staff accounts"

    def ready(self):
        from clinic_site.core import periodic

        from . import lockout, login_audit

        login_audit.connect()
        periodic.register(
            "lockout.purge_old_records", every=timedelta(days=1), job=lockout.purge_old_records
        )


class ClinicAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with the two-factor admin site as ``admin.site``.

    Listed in INSTALLED_APPS instead of "django.contrib.admin", so every
    ``admin.register`` in the project lands on the site that requires a second factor.
    """

    default = False  # AccountsConfig stays this module's config for clinic_site.accounts
    default_site = "clinic_site.accounts.admin_site.ClinicAdminSite"
