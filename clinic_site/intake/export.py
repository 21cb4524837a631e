"""Contact requests as CSV for staff, safe to open in a spreadsheet.

A cell that starts with = + - or @ (or a tab or carriage return) is a formula to Excel,
LibreOffice and Google Sheets: a visitor could type ``=HYPERLINK(...)`` as their name.
Such cells get a leading apostrophe, which spreadsheets read as "this is text".

What the person wrote (the message) is left out on purpose: it stays in the admin,
where every view is recorded, rather than in a file that can travel anywhere.
"""

import csv
from collections.abc import Iterable

from django.utils import timezone

from .models import ContactRequest

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = (
    "Request",
    "Received",
    "Name",
    "Email",
    "Phone",
    "Preferred contact",
    "Voicemail OK",
    "Best time",
    "Interested in",
    "Urgent",
    "Status",
    "Assigned to",
    "First response",
    "Outcome",
    "How it reached us",
    "Held",
)


def escape_cell(value) -> str:
    text = "" if value is None else str(value)
    # Leading spaces too: some spreadsheets skip them before reading a formula.
    if text.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def row(contact_request: ContactRequest) -> list[str]:
    return [
        contact_request.pk,
        _when(contact_request.created_at),
        contact_request.name,
        contact_request.email,
        contact_request.phone,
        contact_request.get_preferred_contact_method_display(),
        "Yes" if contact_request.voicemail_ok else "No",
        contact_request.best_time,
        contact_request.get_interest_display(),
        "Yes" if contact_request.urgent else "No",
        contact_request.get_status_display(),
        contact_request.assigned_to.get_username() if contact_request.assigned_to else "",
        _when(contact_request.first_response_at),
        contact_request.outcome_shown,
        contact_request.get_source_display(),
        contact_request.get_held_reason_display() if contact_request.held_reason else "No",
    ]


def write_csv(out, contact_requests: Iterable[ContactRequest]) -> None:
    # A byte-order mark, so Excel reads accented and non-Latin names as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    for contact_request in contact_requests:
        writer.writerow([escape_cell(value) for value in row(contact_request)])
