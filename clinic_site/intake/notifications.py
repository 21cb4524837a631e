"""Staff emails about contact requests: the outbox and its one sender.

Every email owed to staff is a Notification row, written in the same transaction as
what causes it: a request stored (kind "new" or "urgent"), an urgent request nobody has
assigned or contacted for URGENT_ESCALATION_MINUTES ("escalation", see ``escalate``).
The task worker (clinic_site.core.worker) calls ``send_next`` in its loop; that one
function is the only thing that sends them. It:

- claims the most pressing due row by pushing its next attempt a lease ahead
  (CLAIM_LEASE), so two workers never send one row at once and a worker killed
  mid-send leaves the row due again when the lease runs out;
- sends it, and records it sent (and the request "staff notified") in one transaction;
- on failure logs the exception's type only, and sets the next attempt: every minute
  for urgent requests and escalations, along RETRY_DELAYS then hourly for the rest.
  A row is never given up on; the queue and /monitor say "Staff not notified" meanwhile;
- when a send succeeds after a failure (the mail server is back), makes everything
  waiting due at once, so a backlog goes out within a minute of recovery instead of
  waiting for each row's retry slot.

The emails say only that a request needs attention, whether it is urgent, and link to
it in the admin: no name, contact details, interest or message, so nothing a visitor
types can reach a mailbox.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from .models import (
    ANNOUNCEMENTS,
    ContactRequest,
    Notification,
    NotificationKind,
    Status,
    assignable_staff,
)

logger = logging.getLogger(__name__)

# Delay before attempt 2, 3, ... of an ordinary notification; then every RETRY_CAP.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=30),
)
RETRY_CAP = timedelta(hours=1)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# Urgent requests and escalations: someone may be at risk now.
PRESSING_RETRY = timedelta(minutes=1)
# How long a worker holds a row it is sending. An email takes at most a few
# EMAIL_TIMEOUTs (10 s); a worker killed mid-send leaves its row due after this.
CLAIM_LEASE = timedelta(minutes=2)


def queue(contact_request: ContactRequest, kind: str | None = None) -> Notification:
    """Owe staff an email about this request, inside the caller's transaction."""
    if kind is None:
        kind = NotificationKind.URGENT if contact_request.urgent else NotificationKind.NEW
    return Notification.objects.create(contact_request=contact_request, kind=kind)


def retry_delay(notification: Notification) -> timedelta:
    """How long to wait after its ``attempts``-th failed attempt."""
    if notification.is_pressing:
        return PRESSING_RETRY
    attempt = notification.attempts
    return RETRY_DELAYS[attempt - 1] if attempt <= len(RETRY_DELAYS) else RETRY_CAP


def recipients(notification: Notification) -> list[str]:
    if notification.kind != NotificationKind.ESCALATION:
        return list(settings.CONTACT_NOTIFY_EMAILS)
    if settings.URGENT_ESCALATION_EMAILS:
        return list(settings.URGENT_ESCALATION_EMAILS)
    # Everyone who can pick the request up, and the usual front-desk address.
    front_desk = assignable_staff().exclude(email="").values_list("email", flat=True)
    return sorted({*front_desk, *settings.CONTACT_NOTIFY_EMAILS})


def notification_email(notification: Notification) -> EmailMessage:
    contact_request = notification.contact_request
    link = settings.SITE_URL + contact_request.get_admin_url()
    number = contact_request.pk
    if notification.kind == NotificationKind.ESCALATION:
        minutes = int((timezone.now() - contact_request.created_at).total_seconds() // 60)
        subject = f"Urgent, nobody has acted yet: contact request #{number}"
        opening = (
            f"An urgent contact request arrived {minutes} minutes ago and nobody has "
            "assigned it or contacted the person yet. Please open it now, assign it to "
            "yourself and follow the urgent procedure at its top."
        )
    elif notification.kind == NotificationKind.URGENT:
        subject = f"Urgent: new contact request #{number}, please check now"
        opening = (
            "A new contact request marked urgent has arrived on the website. Please check it now."
        )
    else:
        subject = f"New contact request #{number}"
        opening = "A new contact request has arrived on the website."
    body = (
        f"{opening}\n\n"
        f"Open it in the admin (staff sign-in required):\n{link}\n\n"
        "This email deliberately contains no details of the request.\n"
    )
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients(notification),
    )


class _SenderState:
    # Whether this process's last attempt failed: a success after it means the mail
    # server is back, and everything waiting should go now.
    last_failed = False
    # A row sent whose "sent" could not be recorded (the database failed just then):
    # recorded as soon as the database is back, rather than sent a second time.
    unrecorded: dict[int, object] = {}


def send_next(*, now=None) -> bool:
    """Send the most pressing due notification; False when none is due."""
    _record_unrecorded()
    now = now or timezone.now()
    notification = _claim(now)
    if notification is None:
        return False
    log = {
        "event": "contact_request.notification",
        "contact_request_id": notification.contact_request_id,
        "kind": notification.kind,
        "attempt": notification.attempts + 1,
    }
    if _no_longer_needed(notification):
        Notification.objects.filter(pk=notification.pk).update(cancelled_at=now)
        logger.info("notification not needed", extra={**log, "outcome": "not_needed"})
        return True
    to = recipients(notification)
    try:
        if not to:
            logger.warning("no recipients configured", extra={**log, "outcome": "no_recipients"})
            raise NoRecipients
        message = notification_email(notification)
        message.send(fail_silently=False)
    except Exception as error:
        # Only the exception's type: SMTP errors quote addresses and server replies.
        _failed(notification, type(error).__name__, now, log)
        return True
    _sent(notification, timezone.now(), log)
    return True


class NoRecipients(Exception):
    """CONTACT_NOTIFY_EMAILS (or the escalation list) is empty: retried like a failure."""


def _claim(now):
    with transaction.atomic():
        candidate = Notification.objects.due(now=now).pressing_first().first()
        if candidate is None:
            return None
        claimed = Notification.objects.filter(
            pk=candidate.pk, next_attempt_at=candidate.next_attempt_at, sent_at__isnull=True
        ).update(next_attempt_at=now + CLAIM_LEASE)
    claimed_row = (
        Notification.objects.select_related("contact_request").filter(pk=candidate.pk).first()
        if claimed
        else None
    )
    # Another worker took it first, or its request was purged meanwhile: the next one.
    return claimed_row or _claim(now)


def _no_longer_needed(notification: Notification) -> bool:
    contact_request = notification.contact_request
    if notification.kind in ANNOUNCEMENTS:
        # Staff moved it on from New, or another row already announced it.
        return contact_request.notified_at is not None or contact_request.status != Status.NEW
    return not contact_request.awaits_someone_urgently


def _sent(notification: Notification, sent_at, log: dict) -> None:
    try:
        _record_sent(notification.pk, sent_at)
    except Exception:
        _SenderState.unrecorded[notification.pk] = sent_at
        raise
    logger.info("staff notification sent", extra={**log, "outcome": "sent"})
    if _SenderState.last_failed:
        _SenderState.last_failed = False
        waiting = Notification.objects.waiting().filter(next_attempt_at__gt=sent_at)
        released = waiting.filter(attempts__gt=0).update(next_attempt_at=sent_at)
        if released:
            logger.info(
                "mail server back: everything waiting is due now",
                extra={"event": "contact_request.notification", "outcome": f"released {released}"},
            )


def _record_sent(pk: int, sent_at) -> None:
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=pk).first()
        if notification is None:
            return
        Notification.objects.filter(pk=pk).update(
            sent_at=sent_at, attempts=notification.attempts + 1, last_error=""
        )
        if notification.kind in ANNOUNCEMENTS:
            # update(), not save(): staff may have changed the request meanwhile.
            ContactRequest.objects.filter(
                pk=notification.contact_request_id, notified_at__isnull=True
            ).update(notified_at=sent_at)


def _record_unrecorded() -> None:
    for pk, sent_at in list(_SenderState.unrecorded.items()):
        _record_sent(pk, sent_at)
        del _SenderState.unrecorded[pk]


def _failed(notification: Notification, error_type: str, now, log: dict) -> None:
    _SenderState.last_failed = True
    notification.attempts += 1
    delay = retry_delay(notification)
    Notification.objects.filter(pk=notification.pk).update(
        attempts=notification.attempts, next_attempt_at=now + delay, last_error=error_type
    )
    log = {**log, "error_type": error_type, "retry_in_seconds": int(delay.total_seconds())}
    if notification.is_pressing or notification.attempts < MAX_ATTEMPTS:
        logger.warning("staff notification failed; retry set", extra={**log, "outcome": "retry"})
    else:
        # Past the schedule: an error, so whoever watches the logs hears of it too.
        logger.error(
            "staff notification still failing; retrying every hour",
            extra={**log, "outcome": "still_failing"},
        )


# --- Escalation -------------------------------------------------------------------------


def escalate(*, now=None) -> int:
    """Owe an escalation email for each urgent request nobody has acted on for
    URGENT_ESCALATION_MINUTES since it arrived or since its last escalation.

    The task worker runs this every minute (clinic_site.intake.apps). Each escalation is
    a Notification row, shown on the request. Returns how many were queued.
    """
    now = now or timezone.now()
    interval = timedelta(minutes=settings.URGENT_ESCALATION_MINUTES)
    queued = 0
    for contact_request in ContactRequest.objects.awaiting_someone_urgently().filter(
        created_at__lte=now - interval
    ):
        with transaction.atomic():
            # Locked, so two workers never escalate the same request twice at once.
            locked = (
                ContactRequest.objects.select_for_update()
                .filter(pk=contact_request.pk)
                .awaiting_someone_urgently()
                .first()
            )
            if locked is None:
                continue
            latest = (
                locked.notifications.filter(kind=NotificationKind.ESCALATION)
                .order_by("-created_at")
                .values_list("created_at", flat=True)
                .first()
            )
            if latest is not None and latest > now - interval:
                continue
            Notification.objects.create(
                contact_request=locked,
                kind=NotificationKind.ESCALATION,
                created_at=now,
                next_attempt_at=now,
            )
            queued += 1
    if queued:
        logger.warning(
            "urgent requests escalated",
            extra={"event": "contact_request.escalation", "outcome": f"queued {queued}"},
        )
    return queued
