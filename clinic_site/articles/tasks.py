"""The weekly email to clinical reviewers, run by the task worker (`manage.py db_worker`).

No cron: the task queues its own next run a week later, so one queued run keeps the
chain going. ``schedule_review_digest`` (run by `make migrate` through
`manage.py schedule_review_digest`) starts the chain and is safe to repeat: it adds
nothing while a run is already waiting.
"""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

from . import review

logger = logging.getLogger(__name__)

DIGEST_INTERVAL = timedelta(days=7)


@task()
def send_review_digest() -> int:
    try:
        sent = review.send_review_digests()
        logger.info("review digest sent", extra={"event": "review_digest", "emails": sent})
        return sent
    finally:
        # Even when sending fails this week, next week's run is queued.
        _queue_next(timezone.now() + DIGEST_INTERVAL)


def _queue_next(when) -> None:
    send_review_digest.using(run_after=when).enqueue()


def schedule_review_digest() -> bool:
    """Queue the first digest unless one is already waiting; True if one was queued."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=send_review_digest.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    )
    if waiting.exists():
        return False
    _queue_next(timezone.now())
    return True
