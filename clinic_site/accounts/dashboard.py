"""The clinic manager's dashboard: the queue in numbers, and readers' answers per article.

Each panel is shown only to someone allowed to see the rows behind it: request figures
need "view contact request" (an Editor never sees them), the feedback table needs
"view feedback". The models are looked up by name, so this app imports neither intake
nor articles. Charts are SVG drawn here, on the server: no script, no third-party
request, and every chart has a title, a description and its numbers as a table.
"""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils import timezone

from clinic_site.core.charts import bar_chart, nice_ceiling  # noqa: F401 - used by tests
from clinic_site.core.staff_display import duration_words, staff_date

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
    ContactRequest = apps.get_model("intake", "ContactRequest")
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
    ContactRequest = apps.get_model("intake", "ContactRequest")
    requests = ContactRequest.objects
    return {
        "open": requests.filter(status__in=["new", "in_progress"]).count(),
        "new": requests.filter(status="new").count(),
        "urgent": requests.open_urgent().count(),
        "overdue": requests.overdue(now=now).count(),
    }


def _minutes(rows) -> list[float]:
    return [(responded - received).total_seconds() / 60 for received, responded in rows]


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _counts(rows, field: str, *, blank_label: str = "") -> list[dict]:
    """How many rows have each of ``field``'s choices, in the choices' order (zeros too)."""
    ContactRequest = apps.get_model("intake", "ContactRequest")
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
    ContactRequest = apps.get_model("intake", "ContactRequest")
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
            received.filter(status="closed"), "outcome", blank_label="Not recorded"
        ),
        "languages": _counts(received, "preferred_language"),
        "sources": _counts(received, "source"),
    }


HELD_AND_TURNED_AWAY_DAYS = 30


def held_and_turned_away(*, now: datetime | None = None) -> dict[str, int]:
    """Over the last HELD_AND_TURNED_AWAY_DAYS days: requests stored but held (many from
    one network), and submissions turned away (a flood beyond the limit, or a bot)."""
    ContactRequest = apps.get_model("intake", "ContactRequest")
    TurnedAway = apps.get_model("intake", "TurnedAway")
    since = (now or timezone.now()) - timedelta(days=HELD_AND_TURNED_AWAY_DAYS)
    turned_away = dict(
        TurnedAway.objects.since(since).values_list("reason").annotate(n=Count("pk"))
    )
    return {
        "held": ContactRequest.objects.filter(created_at__gte=since)
        .exclude(held_reason="")
        .count(),
        "refused": turned_away.get("flood", 0),
        "bots": turned_away.get("bot", 0),
        "days": HELD_AND_TURNED_AWAY_DAYS,
    }


def feedback_per_article() -> list:
    """Each article with at least one answer: how many said yes and no."""
    Article = apps.get_model("articles", "Article")
    return list(
        Article.objects.annotate(
            helpful_yes=Count("feedback", filter=Q(feedback__helpful=True)),
            helpful_no=Count("feedback", filter=Q(feedback__helpful=False)),
        )
        .filter(Q(helpful_yes__gt=0) | Q(helpful_no__gt=0))
        .order_by("title")
        .values("title", "helpful_yes", "helpful_no")
    )


def can_see_dashboard(user) -> bool:
    return user.has_perm("intake.view_contactrequest") or user.has_perm("articles.view_feedback")


def dashboard_view(request, *, admin_site):
    user = request.user
    sees_requests = user.has_perm("intake.view_contactrequest")
    sees_feedback = user.has_perm("articles.view_feedback")
    if not (sees_requests or sees_feedback):
        raise PermissionDenied
    context = {**admin_site.each_context(request), "title": "Dashboard"}
    if sees_requests:
        weeks = weekly_requests()
        labels = [week.short_label for week in weeks]
        medians = [week.median_hours for week in weeks]
        # Minutes when every median is under two hours: "0.0 hours" says nothing.
        in_minutes = all(m is None or m < 2 for m in medians)
        context.update(
            counts=queue_counts(),
            held=held_and_turned_away(),
            figures=request_figures(),
            weeks=weeks,
            received_chart=bar_chart([week.received for week in weeks], labels),
            response_chart=bar_chart(
                [None if m is None else (m * 60 if in_minutes else m) for m in medians],
                labels,
                unit="minutes" if in_minutes else "hours",
            ),
        )
    if sees_feedback:
        context["feedback"] = feedback_per_article()
    context["first_response_hours"] = settings.CONTACT_FIRST_RESPONSE_HOURS
    context["opening_hours"] = settings.CLINIC_OPENING_HOURS.strip()
    context["sees_requests"] = sees_requests
    context["sees_feedback"] = sees_feedback
    return TemplateResponse(request, "admin/dashboard.html", context)
