"""The task worker (django-tasks-db's db_worker), plus the site's periodic jobs.

`make run` and `make serve` start this instead of `db_worker`, so the jobs in
core.periodic (expired sessions, old lockout records, ...) need no cron: a thread in
the worker runs whatever is due about once a minute.
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from clinic_site.core import periodic

logger = logging.getLogger(__name__)


def run_periodic_jobs_forever(stop: threading.Event) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            periodic.run_due()
        except Exception:
            logger.exception("periodic jobs failed", extra={"event": "periodic"})
        close_old_connections()
        stop.wait(settings.PERIODIC_JOBS_CHECK_SECONDS)


class Command(DbWorkerCommand):
    help = "Run queued tasks (notification emails) and the site's periodic jobs."

    def handle(self, *args, **options):
        stop = threading.Event()
        thread = threading.Thread(
            target=run_periodic_jobs_forever, args=(stop,), name="periodic-jobs", daemon=True
        )
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
