from datetime import timedelta

from django.apps import AppConfig


class ReadershipConfig(AppConfig):
    name = "clinic_site.readership"
    verbose_name = "Readership"

    def ready(self):
        from clinic_site.core import periodic

        from .retention import purge_old_figures

        # Figures older than READERSHIP_KEEP_DAYS, and searches older than 90 days, go.
        periodic.register(
            "readership.purge_old_figures", every=timedelta(days=1), job=purge_old_figures
        )
