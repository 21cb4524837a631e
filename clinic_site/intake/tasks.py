"""The staff notification for a new contact request, sent by the task worker.

The email says only that a request arrived (and whether it is marked urgent) and links
to it in the admin: no name, contact details, interest or message, so nothing a
visitor types can reach a mailbox, and a forwarded or intercepted email reveals nothing
about anyone. The task's only argument is the request's number, so the queue table
holds no personal data either.

The task is queued in the same transaction that stores the request (the queue is a table
in the same database), so no request ever exists with nothing due to announce it.
A failed send is logged without personal data and queued again with a growing delay
(RETRY_DELAYS), then every RETRY_CAP for as long as it takes: a request is never given
up on. Meanwhile the staff queue and admin home page say "Staff not notified".
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from .models import ContactRequest

logger = logging.getLogger(__name__)

# Delay before attempt 2, 3, ...; after these, every RETRY_CAP until it is sent. An
# hour keeps an outage's backlog small while a person still hears within the hour of
# the mail server's return.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=30),
)
RETRY_CAP = timedelta(hours=1)
# The attempts on the back-off schedule; later ones are at RETRY_CAP.
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


class NotificationNotSent(Exception):
    """Marks the attempt as failed in the task queue; carries no personal data."""


def queue_staff_notification(contact_request_id: int) -> None:
    """Queue the email, inside the caller's transaction: stored and queued, or neither."""
    notify_staff.enqueue(contact_request_id)


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number ``attempt`` (1, 2, ...)."""
    return RETRY_DELAYS[attempt - 1] if attempt <= len(RETRY_DELAYS) else RETRY_CAP


def pending_notification_ids() -> set[int]:
    """Requests with a notification queued or being sent right now."""
    pending = DBTaskResult.objects.filter(
        task_path=notify_staff.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).values_list("args_kwargs", flat=True)
    return {args_kwargs["args"][0] for args_kwargs in pending if args_kwargs.get("args")}


def notification_email(contact_request: ContactRequest) -> EmailMessage:
    link = settings.SITE_URL + contact_request.get_admin_url()
    if contact_request.urgent:
        subject = f"Urgent: new contact request #{contact_request.pk}, please check now"
        opening = (
            "A new contact request marked urgent has arrived on the website. Please check it now."
        )
    else:
        subject = f"New contact request #{contact_request.pk}"
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
        to=settings.CONTACT_NOTIFY_EMAILS,
    )


@task()
def notify_staff(contact_request_id: int, attempt: int = 1) -> str:
    log = {
        "event": "contact_request.notification",
        "contact_request_id": contact_request_id,
        "attempt": attempt,
    }
    contact_request = ContactRequest.objects.filter(pk=contact_request_id).first()
    if contact_request is None:
        logger.info("contact request no longer exists", extra={**log, "outcome": "gone"})
        return "gone"
    if contact_request.notified_at is not None:
        return "already_sent"
    if not settings.CONTACT_NOTIFY_EMAILS:
        # Retried like a failed send, so the request is announced once someone fixes it.
        logger.warning("CONTACT_NOTIFY_EMAILS is empty", extra={**log, "outcome": "no_recipients"})
        raise_for_retry(contact_request_id, attempt, "NoRecipients")

    try:
        notification_email(contact_request).send(fail_silently=False)
    except Exception as error:
        # Only the exception's type: SMTP errors quote addresses and server replies.
        raise_for_retry(contact_request_id, attempt, type(error).__name__)

    # update(), not save(): staff may have changed the request since it was loaded.
    ContactRequest.objects.filter(pk=contact_request_id).update(notified_at=timezone.now())
    logger.info("staff notification sent", extra={**log, "outcome": "sent"})
    return "sent"


def raise_for_retry(contact_request_id: int, attempt: int, error_type: str):
    """Queue the next attempt, log the failure and fail this one; never gives up."""
    log = {
        "event": "contact_request.notification",
        "contact_request_id": contact_request_id,
        "attempt": attempt,
        "error_type": error_type,
    }
    delay = retry_delay(attempt)
    notify_staff.using(run_after=timezone.now() + delay).enqueue(contact_request_id, attempt + 1)
    if attempt < MAX_ATTEMPTS:
        logger.warning(
            "staff notification failed; retry queued", extra={**log, "outcome": "retry_queued"}
        )
    else:
        # Past the schedule: an error, so whoever watches the logs hears of it too.
        logger.error(
            "staff notification still failing; retrying every hour",
            extra={**log, "outcome": "still_failing"},
        )
    # "from None": the queue stores the traceback, and the failed send's own text may
    # quote addresses. The type is enough to diagnose.
    raise NotificationNotSent(
        f"Notification for contact request #{contact_request_id} not sent "
        f"(attempt {attempt}, {error_type}); attempt {attempt + 1} queued "
        f"in {int(delay.total_seconds() // 60)} minutes."
    ) from None
