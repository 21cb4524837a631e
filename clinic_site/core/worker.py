"""The task worker: `manage.py task_worker` (run by `make serve`).

One loop, in one process per host, doing two things on two separate schedules:

- housekeeping, every HOUSEKEEPING_SECONDS by the clock, whatever the outbox holds: a
  heartbeat (core.Heartbeat, read by /monitor) and the periodic jobs apps register with
  core.periodic (escalations, expired sessions, old lockout records, the review digest).
  It runs between any two sends, so a worker busy with a backlog of thousands of emails
  still beats, and /monitor never calls a busy worker dead;
- the outbox: each sender an app registers (``register_sender``; intake's staff
  notifications) is asked to send one due item at a time, until none is due; then the
  loop sleeps ``interval`` seconds.

Database and disk errors (a restarted PostgreSQL, a full disk, a read-only file) are
logged by type only; the broken connection is closed and the loop tries again with a
growing delay (BACKOFF), so it reconnects by itself once the database is back. What a
sender had claimed when a worker died is the sender's to recover (the outbox's claim
is a lease that runs out). If the process dies anyway (kill -9, out of memory),
`make serve` starts it again (scripts/keep-running.sh).

core imports no feature app: apps register their senders and jobs from
AppConfig.ready().
"""

import logging
import signal
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone

from . import periodic
from .logging import failure
from .models import Heartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_PREFIX = "task-worker:"
# Seconds to wait after the 1st, 2nd, ... consecutive failure; then the last, for ever.
BACKOFF = (1, 2, 5, 10, 30)
# Heartbeat and periodic jobs this often (the monitor allows a minute of silence).
HOUSEKEEPING_SECONDS = 5.0

_senders: dict[str, Callable[[], bool]] = {}


def register_sender(name: str, send_next: Callable[[], bool]) -> None:
    """Add an outbox: ``send_next()`` sends one due item and returns False when none is due."""
    _senders[name] = send_next


def registered_senders() -> list[Callable[[], bool]]:
    return [_senders[name] for name in sorted(_senders)]


class TaskWorker:
    def __init__(self, *, interval: float = 1.0, batch: bool = False, worker_id: str = ""):
        self.interval = interval
        self.batch = batch
        self.worker_id = worker_id or uuid.uuid4().hex[:12]
        self.running = True
        self.last_beat = None
        self.last_periodic = None

    def configure_signals(self) -> None:
        def stop(signum, frame):
            self.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def run(self) -> None:
        """Until stopped; with ``batch``, until nothing is due (tests, one-off runs)."""
        failures = 0
        while self.running:
            try:
                busy = self.run_once()
            except DatabaseError as error:
                failures += 1
                self.recover(error, failures)
                continue
            if failures:
                logger.info(
                    "task worker recovered",
                    extra={"event": "task_worker.recovered", "outcome": f"after {failures}"},
                )
                failures = 0
            if busy:
                continue
            if self.batch:
                return
            time.sleep(self.interval)

    def run_once(self) -> bool:
        """One item from each sender, with the heartbeat and the periodic jobs when they
        are due. True if anything was sent.

        The heartbeat comes before each send and the periodic jobs after: a worker just
        (re)started beats at once and sends what is waiting before the jobs run.
        """
        close_old_connections()
        busy = False
        for send_next in registered_senders():
            self.beat_if_due()
            busy = bool(send_next()) or busy
        self.beat_if_due()
        # A job may have owed something (an escalation): look again before sleeping.
        return self.periodic_if_due() or busy

    def beat_if_due(self) -> None:
        # The clock, not a count of loops or sends: a long backlog never starves it.
        if self._due(self.last_beat):
            self.beat()

    def periodic_if_due(self) -> bool:
        """Run the periodic jobs if it is time; True if any job ran."""
        if not self._due(self.last_periodic):
            return False
        return bool(self.run_periodic())

    @staticmethod
    def _due(last) -> bool:
        return last is None or timezone.now() - last >= timedelta(seconds=HOUSEKEEPING_SECONDS)

    def housekeeping(self) -> None:
        """The heartbeat and the periodic jobs, now."""
        self.beat()
        self.run_periodic()

    def beat(self) -> None:
        Heartbeat.objects.beat(HEARTBEAT_PREFIX + self.worker_id)
        # Each start is a new worker id: forget the beats of long-gone ones.
        Heartbeat.objects.filter(
            name__startswith=HEARTBEAT_PREFIX, beat_at__lt=timezone.now() - timedelta(days=1)
        ).delete()
        self.last_beat = timezone.now()

    def run_periodic(self) -> list[str]:
        # Each job runs once per period across every worker and host; a failing job is
        # logged and recorded there, and never stops the emails.
        self.last_periodic = timezone.now()
        return periodic.run_due()

    def recover(self, error: Exception, failures: int) -> None:
        delay = BACKOFF[min(failures, len(BACKOFF)) - 1]
        # The type only: driver messages can quote hosts, users and query values.
        logger.error(
            "task worker: database unavailable; retrying",
            extra=failure(
                error,
                event="task_worker.database_error",
                outcome=f"retry in {delay} s",
                attempt=failures,
            ),
        )
        # A broken connection is useless: drop it, the next query opens a new one.
        for connection in connections.all():
            try:
                connection.close()
            except DatabaseError:
                connection.connection = None
        self.last_beat = None
        if self.running:
            time.sleep(delay)
