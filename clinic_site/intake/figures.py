"""The front desk's figures on the manager's dashboard: the queue in numbers, requests and
first responses per week, and what was held or turned away.

Registered as a dashboard panel in staff_panels.py; the figures follow this app's own
rules (AWAITING_RESPONSE, reached_the_person), which nothing outside intake copies.
"""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from clinic_site.core.staff_display import duration_words, staff_date

from .models import AWAITING_RESPONSE, ContactRequest, Status, TurnedAway, TurnedAwayReason

WEEKS = 12


@dataclass
class Week:
    start: datetime
    received: int
    responded: int
    median_hours: float | None

    @property
    def label(self) -> str:
        return staff_date(self.start)

    @property
    def short_label(self) -> str:
        return self.start.strftime("%d %b")

    @property
    def median_shown(self) -> str:
        if self.median_hours is None:
            return "No responses"
        return duration_words(self.median_hours * 60)


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 of ``moment``'s week, in the clinic's time zone."""
    local = timezone.localtime(moment)
    monday = local - timedelta(days=local.weekday())
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


def weekly_requests(*, now: datetime | None = None, weeks: int = WEEKS) -> list[Week]:
    """Requests received per week, and the median hours to their first response.

    A week's median is over the requests *received* that week that have had a first
    response; the ones still waiting show up in the open and overdue counts instead.
    """
    first = week_start(now or timezone.now()) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=n) for n in range(weeks)]
    received = {start: 0 for start in starts}
    hours = {start: [] for start in starts}
    rows = ContactRequest.objects.filter(created_at__gte=first).values_list(
        "created_at", "first_response_at"
    )
    for created_at, first_response_at in rows:
        start = week_start(created_at)
        if start not in received:
            continue  # a request dated in the future
        received[start] += 1
        if first_response_at is not None:
            hours[start].append((first_response_at - created_at).total_seconds() / 3600)
    return [
        Week(
            start=start,
            received=received[start],
            responded=len(hours[start]),
            median_hours=statistics.median(hours[start]) if hours[start] else None,
        )
        for start in starts
    ]


def queue_counts(*, now: datetime | None = None) -> dict[str, int]:
    requests = ContactRequest.objects
    return {
        "open": requests.filter(status__in=AWAITING_RESPONSE).count(),
        "new": requests.filter(status=Status.NEW).count(),
        "urgent": requests.open_urgent().count(),
        "overdue": requests.overdue(now=now).count(),
    }


def _minutes(rows) -> list[float]:
    return [(responded - received).total_seconds() / 60 for received, responded in rows]


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _counts(rows, field: str, *, blank_label: str = "") -> list[dict]:
    """How many rows have each of ``field``'s choices, in the choices' order (zeros too)."""
    found = dict(rows.values_list(field).annotate(n=Count("pk")).values_list(field, "n"))
    counted = [
        {"label": label, "count": found.get(value, 0)}
        for value, label in ContactRequest._meta.get_field(field).choices
    ]
    if blank_label and found.get(""):
        counted.append({"label": blank_label, "count": found[""]})
    return counted


def request_figures(*, now: datetime | None = None, weeks: int = WEEKS) -> dict:
    """The manager's figures over the requests received in the last ``weeks`` weeks.

    Only reaching the person is a response (see ContactRequest.reached_the_person):
    tries with no answer and closing a duplicate never count.
    """
    first = week_start(now or timezone.now()) - timedelta(weeks=weeks - 1)
    received = ContactRequest.objects.filter(created_at__gte=first)
    responded = received.filter(first_response_at__isnull=False)

    urgent = received.filter(urgent=True)
    urgent_minutes = _minutes(
        urgent.filter(first_response_at__isnull=False).values_list(
            "created_at", "first_response_at"
        )
    )
    per_staff: dict[str, list] = {}
    for username, created_at, first_response_at in responded.values_list(
        "first_response_by__username", "created_at", "first_response_at"
    ):
        per_staff.setdefault(username or "Not recorded", []).append((created_at, first_response_at))
    return {
        "since": first,
        "urgent": {
            "received": urgent.count(),
            "responded": len(urgent_minutes),
            "median_minutes": _median(urgent_minutes),
            "median_shown": duration_words(_median(urgent_minutes))
            if urgent_minutes
            else "No responses",
            "slowest_shown": duration_words(max(urgent_minutes)) if urgent_minutes else "-",
        },
        "by_staff": [
            {
                "name": name,
                "responded": len(rows),
                "median_minutes": _median(_minutes(rows)),
                "median_shown": duration_words(_median(_minutes(rows))),
            }
            for name, rows in sorted(per_staff.items())
        ],
        "outcomes": _counts(
            received.filter(status=Status.CLOSED), "outcome", blank_label="Not recorded"
        ),
        "languages": _counts(received, "preferred_language"),
        "sources": _counts(received, "source"),
    }


HELD_AND_TURNED_AWAY_DAYS = 30


def held_and_turned_away(*, now: datetime | None = None) -> dict[str, int]:
    """Over the last HELD_AND_TURNED_AWAY_DAYS days: requests stored but held (many from
    one network), and submissions turned away (a flood beyond the limit, or a bot)."""
    since = (now or timezone.now()) - timedelta(days=HELD_AND_TURNED_AWAY_DAYS)
    turned_away = dict(
        TurnedAway.objects.since(since).values_list("reason").annotate(n=Count("pk"))
    )
    return {
        "held": ContactRequest.objects.filter(created_at__gte=since)
        .exclude(held_reason="")
        .count(),
        "refused": turned_away.get(TurnedAwayReason.FLOOD, 0),
        "bots": turned_away.get(TurnedAwayReason.BOT, 0),
        "days": HELD_AND_TURNED_AWAY_DAYS,
    }
