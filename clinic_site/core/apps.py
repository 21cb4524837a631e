import os
from datetime import timedelta
from importlib import import_module
from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


def clear_expired_sessions() -> None:
    """What `manage.py clearsessions` does: expired sessions (and what staff kept in
    them, such as a search term) leave the database."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def restrict_sqlite_files() -> None:
    """The SQLite database holds patients' requests: readable by its owner only.

    SQLite creates the -wal and -shm files with the database file's own mode, so the
    file is created here, before the first connection, as 0600; files left readable
    by an older version are tightened too.
    """
    database = settings.DATABASES["default"]
    name = str(database.get("NAME") or "")
    if database["ENGINE"] != "django.db.backends.sqlite3" or name in ("", ":memory:"):
        return
    if name.startswith("file:"):
        return  # an in-memory or URI database (the test runner's)
    path = Path(name)
    if not path.parent.is_dir():
        return
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for file in (path, Path(f"{name}-wal"), Path(f"{name}-shm"), Path(f"{name}-journal")):
        if file.exists() and file.stat().st_uid == os.getuid():
            file.chmod(0o600)


class CoreConfig(AppConfig):
    name = "clinic_site.core"
    verbose_name = "Site"

    def ready(self):
        from . import periodic

        restrict_sqlite_files()

        periodic.register(
            "sessions.clear_expired", every=timedelta(days=1), job=clear_expired_sessions
        )
