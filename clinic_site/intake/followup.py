"""What a member of staff does to one contact request, each step written to the access log.

The buttons at the top of a request ("Assign to me", "Mark contacted", "Add note", "Keep
open") call
these. Each changes the request and records it in the access log in one transaction, so
neither happens without the other. Log details never hold what a note says.
"""

from django.db import transaction
from django.utils import timezone

from .models import (
    NOTE_MAX_LENGTH,
    AccessLog,
    AttemptChannel,
    ContactAttempt,
    ContactNote,
    ContactRequest,
    Outcome,
    Status,
    next_attempt_due,
)


class EmptyNote(ValueError):
    """A note needs some words."""


def _clean_note(body: str) -> str:
    body = body.strip()
    if len(body) > NOTE_MAX_LENGTH:
        raise ValueError(f"A note can be at most {NOTE_MAX_LENGTH} characters.")
    return body


def assign(*, contact_request: ContactRequest, user) -> None:
    with transaction.atomic():
        contact_request.assigned_to = user
        contact_request.save(update_fields=["assigned_to"])
        AccessLog.objects.record(
            [contact_request],
            AccessLog.Action.CHANGED,
            actor=user,
            detail=f"Assigned to {user.get_username()}",
        )


def add_note(*, contact_request: ContactRequest, user, body: str) -> ContactNote:
    body = _clean_note(body)
    if not body:
        raise EmptyNote("Write the note first.")
    with transaction.atomic():
        note = ContactNote.objects.create(contact_request=contact_request, author=user, body=body)
        # A note is activity: the request is not "left open with nothing done".
        contact_request.save(update_fields=["updated_at"])
        AccessLog.objects.record(
            [contact_request], AccessLog.Action.CHANGED, actor=user, detail="Added a note"
        )
    return note


def mark_contacted(*, contact_request: ContactRequest, user, note: str = "") -> None:
    """Status Contacted (recording the first response), with an optional note."""
    note = _clean_note(note)
    with transaction.atomic():
        if note:
            ContactNote.objects.create(contact_request=contact_request, author=user, body=note)
        contact_request.status = Status.CONTACTED
        contact_request.acting_user = user
        contact_request.save(update_fields=["status"])
        detail = "Status: Contacted" + ("; added a note" if note else "")
        AccessLog.objects.record(
            [contact_request], AccessLog.Action.CHANGED, actor=user, detail=detail
        )


def keep_open(*, contact_request: ContactRequest, user, days: int) -> None:
    """Staff decided a request left open stays open: its "nothing done" period restarts."""
    with transaction.atomic():
        ContactRequest.objects.filter(pk=contact_request.pk).keep_open()
        AccessLog.objects.record(
            [contact_request],
            AccessLog.Action.CHANGED,
            actor=user,
            detail=f"Kept open for another {days} days",
        )


def _locked(contact_request: ContactRequest) -> ContactRequest:
    """The request as it is now, locked until the transaction ends: a colleague may have
    contacted or closed it since this page was opened."""
    return ContactRequest.objects.select_for_update().get(pk=contact_request.pk)


def record_attempt(
    *, contact_request: ContactRequest, user, channel: str, note: str = ""
) -> ContactAttempt:
    """A try that did not reach the person: recorded, the request kept open (In
    progress, so it is no longer "Overdue") and the next try made due. Not a response:
    the first-response time stays empty until someone reaches them."""
    channel = AttemptChannel(channel)
    note = _clean_note(note)
    now = timezone.now()
    with transaction.atomic():
        current = _locked(contact_request)
        if current.status not in (Status.NEW, Status.IN_PROGRESS):
            raise ValueError("This request is already contacted or closed: nothing was recorded.")
        attempt = ContactAttempt.objects.create(
            contact_request=current, channel=channel, by=user, at=now
        )
        if note:
            ContactNote.objects.create(contact_request=current, author=user, body=note)
        current.status = Status.IN_PROGRESS
        current.next_attempt_due_at = next_attempt_due(now, urgent=current.urgent)
        current.save(update_fields=["status", "next_attempt_due_at"])
        detail = f"Tried: {channel.label}" + ("; added a note" if note else "")
        AccessLog.objects.record([current], AccessLog.Action.CHANGED, actor=user, detail=detail)
    contact_request.refresh_from_db()
    return attempt


def close(*, contact_request: ContactRequest, user, outcome: str, note: str = "") -> None:
    """Close with an outcome; only an outcome that needed a conversation is a response."""
    try:
        outcome = Outcome(outcome)
    except ValueError:
        raise ValueError("Choose an outcome to close this request.") from None
    note = _clean_note(note)
    with transaction.atomic():
        current = _locked(contact_request)
        if current.status == Status.CLOSED:
            raise ValueError(
                f"Someone closed this request already ({current.outcome_shown}): "
                "nothing was changed."
            )
        if note:
            ContactNote.objects.create(contact_request=current, author=user, body=note)
        current.status = Status.CLOSED
        current.outcome = outcome
        current.acting_user = user
        current.save(update_fields=["status", "outcome"])
        AccessLog.objects.record(
            [current],
            AccessLog.Action.CHANGED,
            actor=user,
            detail=f"Closed: {outcome.label}" + ("; added a note" if note else ""),
        )
    contact_request.refresh_from_db()
