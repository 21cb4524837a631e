"""The multi-step actions on contact requests: receiving one, and the retention purge."""

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic_site.core import ratelimit

from . import consent
from .models import SUBMITTED_FIELDS, AccessLog, ContactRequest, Language
from .tasks import pending_notification_ids, queue_staff_notification

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    """This client has sent its allowance of requests for now; nothing was stored."""


def record_contact_request(
    *,
    data: Mapping[str, Any],
    client_ip: str,
    submission_token: str | None = None,
    language: str = Language.ENGLISH,
    from_article: str = "",
) -> ContactRequest:
    """Store a contact request and queue the staff notification, in one transaction.

    The queue is a table in the same database, so the request and the task that
    announces it are committed together or not at all: no instant exists at which a
    request is stored with nothing due to tell staff (a worker killed between the two
    cannot lose the announcement). The client's address is used for the rate limit
    only and never stored. ``language`` is the language of the form they sent;
    ``from_article`` the slug of the article whose link led there, or "".

    A ``submission_token`` already stored means this form was sent before: that request
    is returned and nothing new is stored (nor counted against the rate limit).

    Raises RateLimited, storing nothing, when the client is over its allowance, and
    DatabaseError, storing nothing, when the database cannot take the request.
    """
    if submission_token and (earlier := _sent_before(submission_token)):
        return earlier
    if not within_rate_limit(client_ip):
        logger.info(
            "contact request refused by the rate limit",
            extra={"event": "contact_request.received", "outcome": "rate_limited"},
        )
        raise RateLimited

    try:
        with transaction.atomic():
            contact_request = ContactRequest.objects.create(
                **{field: data[field] for field in SUBMITTED_FIELDS if field in data},
                language=language,
                consent_version=consent.version_for(language),
                consented_at=timezone.now(),
                submission_token=submission_token or None,
                from_article=from_article,
            )
            AccessLog.objects.record([contact_request], AccessLog.Action.CREATED)
            queue_staff_notification(contact_request.pk)
    except IntegrityError:
        # The same form, sent twice at the same moment: the other copy won the race.
        if submission_token and (earlier := _sent_before(submission_token)):
            return earlier
        raise

    logger.info(
        "contact request stored",
        extra={
            "event": "contact_request.received",
            "contact_request_id": contact_request.pk,
            "outcome": "stored",
        },
    )
    return contact_request


# The sweep leaves a request alone this long after it arrives: its own task is due or
# running then, and re-queuing it would only risk a second email.
SWEEP_AFTER = timedelta(minutes=3)


def requeue_unannounced_requests(*, now=None) -> int:
    """Queue a notification for every new request that has none due and none sent.

    The task worker runs this every minute (clinic_site.intake.apps), so a request
    whose task was lost in any way (deleted by hand, a worker that died between
    marking an attempt failed and queuing the next one, a restored backup) is
    announced within minutes anyway. Returns how many were queued.
    """
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    with transaction.atomic():
        unannounced = (
            set(
                ContactRequest.objects.awaiting_notification()
                .filter(created_at__lt=cutoff)
                .values_list("pk", flat=True)
            )
            - pending_notification_ids()
        )
        for pk in sorted(unannounced):
            queue_staff_notification(pk)
    if unannounced:
        logger.warning(
            "notifications re-queued by the sweep",
            extra={
                "event": "contact_request.notification",
                "outcome": f"requeued {len(unannounced)}",
            },
        )
    return len(unannounced)


def _sent_before(submission_token: str) -> ContactRequest | None:
    earlier = ContactRequest.objects.filter(submission_token=submission_token).first()
    if earlier is not None:
        logger.info(
            "contact form sent again; the earlier request stands",
            extra={
                "event": "contact_request.received",
                "contact_request_id": earlier.pk,
                "outcome": "duplicate",
            },
        )
    return earlier


def within_rate_limit(client_ip: str) -> bool:
    """CONTACT_RATE_LIMIT submissions per CONTACT_RATE_WINDOW_SECONDS for each client.

    With the default in-process cache each gunicorn worker counts separately (a client
    may get workers x limit through); REDIS_URL gives one shared count. A limit of 0
    turns it off (README, "Configuration").
    """
    if settings.CONTACT_RATE_LIMIT <= 0:
        return True
    try:
        return ratelimit.hit(
            "contact",
            client_ip,
            limit=settings.CONTACT_RATE_LIMIT,
            window=settings.CONTACT_RATE_WINDOW_SECONDS,
        )
    except Exception:
        # A person must still be able to reach the clinic when the cache is down.
        logger.warning(
            "contact rate limit unavailable; submission allowed",
            exc_info=True,
            extra={"event": "contact_request.received", "outcome": "rate_limit_unavailable"},
        )
        return True


def purge_contact_requests(*, days: int, dry_run: bool = False) -> int:
    """Delete closed requests closed more than ``days`` days ago; return how many.

    Their notes go with them. The access log keeps a "deleted" entry for each, so the
    record of who saw a request outlives it.
    """
    if dry_run:
        return ContactRequest.objects.due_for_purge(days=days).count()
    with transaction.atomic():
        due = list(ContactRequest.objects.due_for_purge(days=days).select_for_update())
        if not due:
            return 0
        AccessLog.objects.record(
            due, AccessLog.Action.DELETED, detail=f"Retention: closed more than {days} days ago"
        )
        ContactRequest.objects.filter(pk__in=[request.pk for request in due]).delete()
    logger.info(
        "closed contact requests purged",
        extra={"event": "contact_request.purge", "outcome": f"deleted {len(due)}"},
    )
    return len(due)
