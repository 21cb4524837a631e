"""The task worker that heals itself: `manage.py task_worker` (run by `make serve`).

django-tasks-db's own `db_worker` exits on the first database error it does not
expect (a restarted PostgreSQL, a full disk, a read-only file), and a task it was
running when it died stays "running" for ever. This worker runs the same task loop
and, around it:

- catches database and disk errors, logs them (the exception's type only), closes the
  broken connection and tries again with a growing delay (BACKOFF), so it reconnects
  by itself once the database is back;
- writes a heartbeat (core.Heartbeat) every loop, which the monitoring endpoint reads;
- puts tasks left "running" by a worker that died back in the queue (after a minute
  when that worker's heartbeat has stopped, after RECLAIM_AFTER regardless): their
  worker died mid-task (a rare duplicate email is acceptable, a lost one is not); a task
  it was running itself when the database failed goes back as soon as it recovers;
- runs the periodic jobs apps register with core.periodic (intake's sweep, expired
  sessions, old lockout records, the review digest), so no cron is needed.

If the process dies anyway (kill -9, out of memory), `make serve` starts it again
(scripts/keep-running.sh).
"""

import logging
import time
from datetime import timedelta

from django.db import DatabaseError, close_old_connections, connections, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from . import periodic
from .models import Heartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_PREFIX = "task-worker:"
# A task "running" this long has lost its worker: the longest honest task (an email,
# EMAIL_TIMEOUT 10 s) is far shorter.
RECLAIM_AFTER = timedelta(minutes=5)
# Sooner when its worker has stopped beating (it beats between tasks, every few seconds).
SILENT_WORKER_AFTER = timedelta(minutes=1)
# Seconds to wait after the 1st, 2nd, ... consecutive failure; then the last, for ever.
BACKOFF = (1, 2, 5, 10, 30)
# Heartbeat and reclaim at most this often (the monitor allows a minute of silence).
HOUSEKEEPING_SECONDS = 5.0


def reclaim_abandoned_tasks(*, now=None) -> int:
    """Put tasks whose worker died mid-run back in the queue; returns how many.

    A task is abandoned when it has been "running" for RECLAIM_AFTER, or for
    SILENT_WORKER_AFTER while the worker that claimed it has not beaten for as long
    (killed: the usual case, reclaimed within about a minute).
    """
    now = now or timezone.now()
    silent_since = now - SILENT_WORKER_AFTER
    with transaction.atomic():
        candidates = DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=silent_since
        ).values_list("id", "started_at", "worker_ids")
        alive = set(
            Heartbeat.objects.filter(
                name__startswith=HEARTBEAT_PREFIX, beat_at__gte=silent_since
            ).values_list("name", flat=True)
        )
        abandoned = [
            task_id
            for task_id, started_at, worker_ids in candidates
            if started_at < now - RECLAIM_AFTER
            or HEARTBEAT_PREFIX + (worker_ids or [""])[-1] not in alive
        ]
        reclaimed = DBTaskResult.objects.filter(
            id__in=abandoned, status=TaskResultStatus.RUNNING
        ).update(status=TaskResultStatus.READY, run_after=now)
    if reclaimed:
        logger.warning(
            "abandoned tasks put back in the queue",
            extra={"event": "task_worker.reclaim", "outcome": f"reclaimed {reclaimed}"},
        )
    return reclaimed


class SelfHealingWorker(Worker):
    """django-tasks-db's worker, one batch at a time, with housekeeping between batches."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.current_task_id = None
        # Tasks this worker was running when the database failed under it: still
        # "running" in the table, but nobody runs them. Put back at once on recovery,
        # rather than after RECLAIM_AFTER.
        self.orphaned: set = set()
        self.last_housekeeping = float("-inf")

    def run_task(self, db_task_result) -> None:
        self.current_task_id = db_task_result.id
        super().run_task(db_task_result)
        self.current_task_id = None

    def run(self) -> None:
        logging.getLogger("django_tasks_db").setLevel(logging.WARNING)  # "no more tasks" x N
        failures = 0
        once = self.batch
        while self.running:
            try:
                self.housekeeping()
                self.batch = True  # the parent's loop returns when the queue is empty
                super().run()
                self.startup_delay = False
            except DatabaseError as error:
                if self.current_task_id is not None:
                    self.orphaned.add(self.current_task_id)
                    self.current_task_id = None
                failures += 1
                self.recover(error, failures)
                continue
            if failures:
                logger.info(
                    "task worker recovered",
                    extra={"event": "task_worker.recovered", "outcome": f"after {failures}"},
                )
                failures = 0
            if once or (self.max_tasks is not None and self._run_tasks >= self.max_tasks):
                return
            if self.running:
                time.sleep(self.interval)

    def housekeeping(self) -> None:
        close_old_connections()
        if time.monotonic() - self.last_housekeeping < HOUSEKEEPING_SECONDS and not self.orphaned:
            return
        Heartbeat.objects.beat(HEARTBEAT_PREFIX + self.worker_id)
        # Each start is a new worker id: forget the beats of long-gone ones.
        Heartbeat.objects.filter(
            name__startswith=HEARTBEAT_PREFIX, beat_at__lt=timezone.now() - timedelta(days=1)
        ).delete()
        if self.orphaned:
            DBTaskResult.objects.filter(
                id__in=self.orphaned, status=TaskResultStatus.RUNNING
            ).update(status=TaskResultStatus.READY, run_after=timezone.now())
            self.orphaned.clear()
        reclaim_abandoned_tasks()
        self.last_housekeeping = time.monotonic()
        # Each job runs once per period across every worker and host; a failing job is
        # logged and recorded there, and never stops the emails.
        periodic.run_due()

    def recover(self, error: Exception, failures: int) -> None:
        delay = BACKOFF[min(failures, len(BACKOFF)) - 1]
        # The type only: driver messages can quote hosts, users and query values.
        logger.error(
            "task worker: database unavailable; retrying",
            extra={
                "event": "task_worker.database_error",
                "error_type": type(error).__name__,
                "outcome": f"retry in {delay} s",
                "attempt": failures,
            },
        )
        # A broken connection is useless: drop it, the next query opens a new one.
        for connection in connections.all():
            try:
                connection.close()
            except DatabaseError:
                connection.connection = None
        if self.running:
            time.sleep(delay)
