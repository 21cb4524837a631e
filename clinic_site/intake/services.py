"""The multi-step actions on contact requests: receiving one, and the retention purge."""

import enum
import hashlib
import json
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from clinic_site.core import ratelimit
from clinic_site.core.languages import Language

from . import consent, notifications
from .models import (
    SUBMITTED_FIELDS,
    AccessLog,
    ContactRequest,
    HoldReason,
    Source,
    TurnedAway,
    TurnedAwayReason,
)

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
    from_article: str = "",
) -> ContactRequest:
    """Store a contact request and owe staff its email (the outbox), in one transaction.

    The outbox is a table in the same database, so the request and the row that
    announces it are committed together or not at all: no instant exists at which a
    request is stored with nothing due to tell staff (a worker killed between the two
    cannot lose the announcement). The client's address is used for the rate limit
    only and never stored. ``language`` is the language of the form they sent;
    ``from_article`` the slug of the article whose link led there, or "".

    A ``submission_token`` already stored means this form was sent before. If it says
    the same thing, that request is returned and nothing new is stored (nor counted
    against the rate limit). If the words differ (the first answer was lost and the
    person added to their message before sending again), the new version is stored as
    its own request, an addition to the first, checked for urgency like any other; the
    same addition sent twice is stored once.

    Beyond CONTACT_RATE_LIMIT the request is stored all the same, held ("many requests
    from one network": a waiting room's tablet, hospital Wi-Fi, a carrier's shared
    address), so no real person is turned away. Raises RateLimited, storing nothing but
    the count of refusals, beyond CONTACT_FLOOD_LIMIT, and DatabaseError, storing
    nothing, when the database cannot take the request.
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
                **submitted,
                language=language,
                consent_version=consent.version_for(language),
                consented_at=timezone.now(),
                submission_token=token,
                addition_to=addition_to,
                held_reason=held_reason,
                from_article=from_article,
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
            "outcome": "addition" if addition_to else "held" if held_reason else "stored",
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
        notifications.queue(contact_request)
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
