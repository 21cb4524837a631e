"""The multi-step actions on contact requests: receiving one, and the retention purge."""

import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinic_site.core import ratelimit

from . import consent
from .models import SUBMITTED_FIELDS, AccessLog, ContactRequest, Language
from .tasks import queue_staff_notification

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    """This client has sent its allowance of requests for now; nothing was stored."""


def record_contact_request(
    *, data: Mapping[str, Any], client_ip: str, language: str = Language.ENGLISH
) -> ContactRequest:
    """Store a contact request, then queue the staff notification.

    The request is committed first; the notification is queued only after the commit,
    so a failure to queue or send never loses the request. The client's address is
    used for the rate limit only and never stored. ``language`` is the language of the
    form they sent.

    Raises RateLimited, storing nothing, when the client is over its allowance.
    """
    if not within_rate_limit(client_ip):
        logger.info(
            "contact request refused by the rate limit",
            extra={"event": "contact_request.received", "outcome": "rate_limited"},
        )
        raise RateLimited

    with transaction.atomic():
        contact_request = ContactRequest.objects.create(
            **{field: data[field] for field in SUBMITTED_FIELDS if field in data},
            language=language,
            consent_version=consent.version_for(language),
            consented_at=timezone.now(),
        )
        AccessLog.objects.record([contact_request], AccessLog.Action.CREATED)
        transaction.on_commit(partial(queue_staff_notification, contact_request.pk))

    logger.info(
        "contact request stored",
        extra={
            "event": "contact_request.received",
            "contact_request_id": contact_request.pk,
            "outcome": "stored",
        },
    )
    return contact_request


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
