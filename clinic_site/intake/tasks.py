"""The staff notification for a new contact request, sent by the task worker.

The email says only that a request arrived (and whether it is marked urgent) and links
to it in the admin: no name, contact details, interest or message, so nothing a
visitor types can reach a mailbox, and a forwarded or intercepted email reveals nothing
about anyone. The task's only argument is the request's number, so the queue table
holds no personal data either.

A failed send is logged without personal data and queued again with a growing delay
(RETRY_DELAYS); after the last attempt it stops. The request itself was committed
before any of this and staff see it in the admin whatever happens here.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

from .models import ContactRequest

logger = logging.getLogger(__name__)

# Delay before attempt 2, 3, ...: about nine hours of trying in all.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


class NotificationNotSent(Exception):
    """Marks the attempt as failed in the task queue; carries no personal data."""


def queue_staff_notification(contact_request_id: int) -> None:
    """Queue the email; called once the request is committed (transaction.on_commit)."""
    try:
        notify_staff.enqueue(contact_request_id)
    except Exception:
        # The request is stored and shows in the admin; only the email is missing.
        logger.exception(
            "could not queue the staff notification",
            extra={
                "event": "contact_request.notification",
                "contact_request_id": contact_request_id,
                "outcome": "not_queued",
            },
        )


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
        logger.warning("CONTACT_NOTIFY_EMAILS is empty", extra={**log, "outcome": "no_recipients"})
        return "no_recipients"

    try:
        notification_email(contact_request).send(fail_silently=False)
    except Exception as error:
        # Only the exception's type: SMTP errors quote addresses and server replies.
        error_type = type(error).__name__
        if attempt < MAX_ATTEMPTS:
            delay = RETRY_DELAYS[attempt - 1]
            notify_staff.using(run_after=timezone.now() + delay).enqueue(
                contact_request_id, attempt + 1
            )
            logger.warning(
                "staff notification failed; retry queued",
                extra={**log, "outcome": "retry_queued", "error_type": error_type},
            )
            outcome = f"retry {attempt + 1} of {MAX_ATTEMPTS} queued"
        else:
            logger.error(
                "staff notification failed; giving up",
                extra={**log, "outcome": "gave_up", "error_type": error_type},
            )
            outcome = "no more retries"
        # "from None": the queue stores the traceback, and the cause's text may quote
        # addresses. The type is enough to diagnose.
        raise NotificationNotSent(
            f"Notification for contact request #{contact_request_id} not sent "
            f"(attempt {attempt}, {error_type}); {outcome}."
        ) from None

    # update(), not save(): staff may have changed the request since it was loaded.
    ContactRequest.objects.filter(pk=contact_request_id).update(notified_at=timezone.now())
    logger.info("staff notification sent", extra={**log, "outcome": "sent"})
    return "sent"
