from datetime import timedelta
from importlib import import_module

from django.apps import AppConfig
from django.conf import settings


def clear_expired_sessions() -> None:
    """What `manage.py clearsessions` does: expired sessions (and what staff kept in
    them, such as a search term) leave the database."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


class CoreConfig(AppConfig):
    name = "clinic_site.core"
    verbose_name = "Site"

    def ready(self):
        from . import periodic

        periodic.register(
            "sessions.clear_expired", every=timedelta(days=1), job=clear_expired_sessions
        )
