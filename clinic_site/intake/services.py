"""The multi-step actions on contact requests: receiving one, and the retention purge."""

import hashlib
import json
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic_site.core import ratelimit

from . import consent, notifications
from .models import SUBMITTED_FIELDS, AccessLog, ContactRequest, Language

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    """This client has sent its allowance of requests for now; nothing was stored."""


def record_contact_request(
    *,
    data: Mapping[str, Any],
    client_ip: str,
    submission_token: str | None = None,
    language: str = Language.ENGLISH,
) -> ContactRequest:
    """Store a contact request and owe staff its email (the outbox), in one transaction.

    The outbox is a table in the same database, so the request and the row that
    announces it are committed together or not at all: no instant exists at which a
    request is stored with nothing due to tell staff (a worker killed between the two
    cannot lose the announcement). The client's address is used for the rate limit
    only and never stored. ``language`` is the language of the form they sent.

    A ``submission_token`` already stored means this form was sent before. If it says
    the same thing, that request is returned and nothing new is stored (nor counted
    against the rate limit). If the words differ (the first answer was lost and the
    person added to their message before sending again), the new version is stored as
    its own request, an addition to the first, checked for urgency like any other; the
    same addition sent twice is stored once.

    Raises RateLimited, storing nothing, when the client is over its allowance, and
    DatabaseError, storing nothing, when the database cannot take the request.
    """
    submitted = {field: data[field] for field in SUBMITTED_FIELDS if field in data}
    token = submission_token or None
    addition_to = None
    if token and (earlier := _sent_before(token)):
        if earlier.says_the_same_as(submitted):
            return earlier
        addition_to = earlier.addition_to or earlier
        token = addition_token(submission_token, submitted)
        if same_addition := ContactRequest.objects.filter(submission_token=token).first():
            return same_addition
    if not within_rate_limit(client_ip):
        logger.info(
            "contact request refused by the rate limit",
            extra={"event": "contact_request.received", "outcome": "rate_limited"},
        )
        raise RateLimited

    try:
        with transaction.atomic():
            contact_request = ContactRequest.objects.create(
                **submitted,
                language=language,
                consent_version=consent.version_for(language),
                consented_at=timezone.now(),
                submission_token=token,
                addition_to=addition_to,
            )
            AccessLog.objects.record([contact_request], AccessLog.Action.CREATED)
            notifications.queue(contact_request)
    except IntegrityError:
        # The same form, sent twice at the same moment: the other copy won the race.
        if token and (earlier := _sent_before(token)):
            return earlier
        raise

    logger.info(
        "contact request stored",
        extra={
            "event": "contact_request.received",
            "contact_request_id": contact_request.pk,
            "outcome": "addition" if addition_to else "stored",
        },
    )
    return contact_request


def addition_token(submission_token: str, submitted: Mapping[str, Any]) -> str:
    """The token of one changed version of a form: the page's token and a digest of
    what it says. "+" never occurs in a page's token, so the two never collide; the
    digest is kept in the row that holds the words themselves."""
    canonical = json.dumps(
        [submission_token, submitted], sort_keys=True, ensure_ascii=False, default=str
    )
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:24]
    # The column holds 64 characters; the digest covers the whole token.
    return f"{submission_token[:39]}+{digest}"


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


def purge_expired_contact_requests() -> int:
    """The task worker's hourly job: the purge the privacy notice promises, with its days."""
    return purge_contact_requests(days=settings.CONTACT_RETENTION_DAYS)


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
