"""What a member of staff does to one contact request, each step written to the access log.

The buttons at the top of a request ("Assign to me", "Mark contacted", "Add note", "Keep
open") call
these. Each changes the request and records it in the access log in one transaction, so
neither happens without the other. Log details never hold what a note says.
"""

from django.db import transaction

from .models import NOTE_MAX_LENGTH, AccessLog, ContactNote, ContactRequest, Status


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
