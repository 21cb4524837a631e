from datetime import timedelta

from django.apps import AppConfig


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
