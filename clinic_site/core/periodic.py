"""Jobs the site runs on its own every so often, inside the task worker (no cron).

Apps register a job once, in their AppConfig.ready()::

    periodic.register("sessions.clear_expired", every=timedelta(days=1), job=clear_expired)

and the task worker (`manage.py task_worker`) calls ``run_due()`` between tasks, every few seconds.
A ``PeriodicJob`` row per job says when it is next due; a worker claims a due job by
moving that time forward in one conditional UPDATE, so with several workers on several
hosts each job still runs once per period. A job that fails is logged and tried again
at its next period; it never stops the worker or the other jobs.
"""

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import DatabaseError
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    job: Callable[[], object]


_jobs: dict[str, Job] = {}


def register(name: str, *, every: timedelta, job: Callable[[], object]) -> None:
    _jobs[name] = Job(name, every, job)


def registered() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def run_due() -> list[str]:
    """Run every job that is due and not claimed by another worker; their names."""
    ran = []
    for job in registered():
        try:
            claimed = _claim(job)
        except DatabaseError:
            logger.warning("periodic jobs: database unavailable", extra={"event": "periodic"})
            return ran
        if not claimed:
            continue
        succeeded = _run(job)
        _record(job, succeeded)
        ran.append(job.name)
    return ran


def _claim(job: Job) -> bool:
    from .models import PeriodicJob

    now = timezone.now()
    PeriodicJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    return bool(
        PeriodicJob.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=now + job.every, last_run_at=now
        )
    )


def _run(job: Job) -> bool:
    try:
        job.job()
    except Exception:
        # The exception's text can hold data from the rows it touched: type only.
        logger.exception("periodic job failed", extra={"event": "periodic.failed", "job": job.name})
        return False
    logger.info("periodic job done", extra={"event": "periodic.done", "job": job.name})
    return True


def _record(job: Job, succeeded: bool) -> None:
    from .models import PeriodicJob

    # If this fails, the next run records its own outcome.
    with contextlib.suppress(DatabaseError):
        PeriodicJob.objects.filter(name=job.name).update(last_succeeded=succeeded)


def run_again_at(name: str, when) -> None:
    """A job that found nothing to do yet (no one to send to) asks to run again sooner
    than its interval, instead of waiting a whole week."""
    from .models import PeriodicJob

    with contextlib.suppress(DatabaseError):
        PeriodicJob.objects.filter(name=name).update(next_run_at=when)
