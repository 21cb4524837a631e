"""How staff screens say things: one date format, yes/no in words, status tags.

Staff pages are read by people at a front desk, not developers: a tick or a colour
alone says nothing to someone who cannot see it or does not know the convention, and
three date formats on one page make people check which is which. Every admin screen
formats through these.
"""

from django.utils import timezone
from django.utils.html import format_html

# "30 Nov 2026, 14:05": day first, month in letters, 24-hour clock, never ambiguous.
STAFF_DATETIME_FORMAT = "%d %b %Y, %H:%M"
STAFF_DATE_FORMAT = "%d %b %Y"


def staff_datetime(value) -> str:
    """A moment in the clinic's time zone (TIME_ZONE), or "-" when there is none."""
    if value is None:
        return "-"
    return timezone.localtime(value).strftime(STAFF_DATETIME_FORMAT)


def staff_date(value) -> str:
    if value is None:
        return "-"
    return value.strftime(STAFF_DATE_FORMAT)


def yes_no(value) -> str:
    if value is None:
        return "Not known"
    return "Yes" if value else "No"


def tag(text: str, kind: str):
    """A status tag ("Urgent", "Overdue"): the word itself, coloured as a second cue."""
    return format_html('<strong class="staff-tag staff-tag--{}">{}</strong>', kind, text)


def duration_words(minutes: float | None) -> str:
    """A response time as people say it: "2 minutes", "1 hour 5 minutes", "26 hours"."""
    if minutes is None:
        return "-"
    total = round(minutes)
    hours, rest = divmod(total, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)
