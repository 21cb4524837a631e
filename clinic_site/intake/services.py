"""The multi-step actions on contact requests: receiving one, and the retention purge."""

import enum
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from clinic_site.core import ratelimit

from . import consent
from .models import (
    SUBMITTED_FIELDS,
    AccessLog,
    ContactRequest,
    HoldReason,
    Language,
    Source,
    TurnedAway,
    TurnedAwayReason,
)
from .tasks import pending_notification_ids, queue_staff_notification

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    """This client has sent far more than its allowance (CONTACT_FLOOD_LIMIT) for now;
    nothing was stored, and the refusal was counted."""


class Allowance(enum.Enum):
    WITHIN = "within"
    HOLD = "hold"  # beyond CONTACT_RATE_LIMIT: stored, held for a second look
    REFUSE = "refuse"  # beyond CONTACT_FLOOD_LIMIT


def record_contact_request(
    *,
    data: Mapping[str, Any],
    client_ip: str,
    submission_token: str | None = None,
    language: str = Language.ENGLISH,
) -> ContactRequest:
    """Store a contact request and queue the staff notification, in one transaction.

    The queue is a table in the same database, so the request and the task that
    announces it are committed together or not at all: no instant exists at which a
    request is stored with nothing due to tell staff (a worker killed between the two
    cannot lose the announcement). The client's address is used for the rate limit
    only and never stored. ``language`` is the language of the form they sent.

    A ``submission_token`` already stored means this form was sent before: that request
    is returned and nothing new is stored (nor counted against the rate limit).

    Beyond CONTACT_RATE_LIMIT the request is stored all the same, held ("many requests
    from one network": a waiting room's tablet, hospital Wi-Fi, a carrier's shared
    address), so no real person is turned away. Raises RateLimited, storing nothing but
    the count of refusals, beyond CONTACT_FLOOD_LIMIT, and DatabaseError, storing
    nothing, when the database cannot take the request.
    """
    if submission_token and (earlier := _sent_before(submission_token)):
        return earlier
    allowance = rate_allowance(client_ip)
    if allowance is Allowance.REFUSE:
        logger.info(
            "contact request refused by the flood limit",
            extra={"event": "contact_request.received", "outcome": "rate_limited"},
        )
        record_turned_away(reason=TurnedAwayReason.FLOOD)
        raise RateLimited
    held_reason = HoldReason.MANY_REQUESTS if allowance is Allowance.HOLD else ""

    try:
        with transaction.atomic():
            contact_request = ContactRequest.objects.create(
                **{field: data[field] for field in SUBMITTED_FIELDS if field in data},
                language=language,
                consent_version=consent.version_for(language),
                consented_at=timezone.now(),
                submission_token=submission_token or None,
                held_reason=held_reason,
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
            "outcome": "held" if held_reason else "stored",
        },
    )
    return contact_request


def log_staff_request(*, data: Mapping[str, Any], source: str, user) -> ContactRequest:
    """A phone call or walk-in, logged by staff: stored like a website request (the
    same queue, urgent check, notification and figures), with where it came from and
    who logged it. Consent was given to the member of staff, in person or on the phone."""
    source = Source(source)
    if source == Source.WEBSITE:
        raise ValueError("Staff log phone calls and walk-ins; the website logs its own.")
    language = data.get("preferred_language") or Language.ENGLISH
    with transaction.atomic():
        contact_request = ContactRequest.objects.create(
            **{field: data[field] for field in SUBMITTED_FIELDS if field in data},
            language=language,
            source=source,
            logged_by=user,
            consent_version=consent.STAFF_LOGGED_VERSION,
            consented_at=timezone.now(),
        )
        AccessLog.objects.record(
            [contact_request],
            AccessLog.Action.CREATED,
            actor=user,
            detail=f"Logged by staff: {source.label.lower()}",
        )
        queue_staff_notification(contact_request.pk)
    logger.info(
        "contact request logged by staff",
        extra={
            "event": "contact_request.received",
            "contact_request_id": contact_request.pk,
            "outcome": f"logged_{source.value}",
            "user_id": user.pk,
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


def rate_allowance(client_ip: str) -> Allowance:
    """Within CONTACT_RATE_LIMIT submissions per CONTACT_RATE_WINDOW_SECONDS for this
    client, held beyond it, refused beyond CONTACT_FLOOD_LIMIT.

    With the default in-process cache each gunicorn worker counts separately (a client
    may get workers x limit through); REDIS_URL gives one shared count. A limit of 0
    turns it off (README, "Configuration").
    """
    if settings.CONTACT_RATE_LIMIT <= 0:
        return Allowance.WITHIN
    try:
        count = ratelimit.hit_count(
            "contact", client_ip, window=settings.CONTACT_RATE_WINDOW_SECONDS
        )
    except Exception:
        # A person must still be able to reach the clinic when the cache is down.
        logger.warning(
            "contact rate limit unavailable; submission allowed",
            exc_info=True,
            extra={"event": "contact_request.received", "outcome": "rate_limit_unavailable"},
        )
        return Allowance.WITHIN
    if count <= settings.CONTACT_RATE_LIMIT:
        return Allowance.WITHIN
    if settings.CONTACT_FLOOD_LIMIT <= 0 or count <= settings.CONTACT_FLOOD_LIMIT:
        return Allowance.HOLD
    return Allowance.REFUSE


def record_turned_away(*, reason: str) -> None:
    """Count a submission that was not stored. Never stands in the visitor's way: if the
    database cannot take the count, the answer they get is the same."""
    try:
        TurnedAway.objects.create(reason=TurnedAwayReason(reason))
    except DatabaseError:
        logger.warning(
            "turned-away submission not counted: database unavailable",
            extra={"event": "contact_request.received", "outcome": "not_counted"},
        )


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
