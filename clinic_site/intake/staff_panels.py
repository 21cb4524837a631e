"""The front desk's parts of the staff pages, registered with core.panels (imported by
clinic_site/sitewide at start-up, like admin.py): the "staff not notified" alert on the
staff home, the request figures on the dashboard (templates/admin/intake/panels/), and
the open-urgent count on every staff page. Only people who can read contact requests
see any of them (never Editors).
"""

from django.conf import settings
from django.urls import reverse

from clinic_site.core import panels
from clinic_site.core.charts import bar_chart

from . import figures
from .models import ContactRequest

VIEW_REQUESTS = "intake.view_contactrequest"


@panels.on_home(VIEW_REQUESTS, order=10)  # an alert: above everything else
def staff_not_notified(request) -> dict:
    """New requests staff were never emailed about."""
    return {"count": ContactRequest.objects.staff_not_notified().count()}


@panels.on_dashboard(VIEW_REQUESTS, order=10)
def request_figures(request) -> dict:
    weeks = figures.weekly_requests()
    labels = [week.short_label for week in weeks]
    medians = [week.median_hours for week in weeks]
    # Minutes when every median is under two hours: "0.0 hours" says nothing.
    in_minutes = all(m is None or m < 2 for m in medians)
    return {
        "counts": figures.queue_counts(),
        "held": figures.held_and_turned_away(),
        "figures": figures.request_figures(),
        "weeks": weeks,
        "received_chart": bar_chart([week.received for week in weeks], labels),
        "response_chart": bar_chart(
            [None if m is None else (m * 60 if in_minutes else m) for m in medians],
            labels,
            unit="minutes" if in_minutes else "hours",
        ),
        "first_response_hours": settings.CONTACT_FIRST_RESPONSE_HOURS,
        "opening_hours": settings.CLINIC_OPENING_HOURS.strip(),
    }


@panels.on_every_page
def open_urgent(request) -> dict:
    """The number of open urgent requests, for the banner and the tab title of every staff
    page; counted over the whole queue, so no search or filter can hide it."""
    user = getattr(request, "user", None)
    if user is None or not user.has_perm(VIEW_REQUESTS):
        return {"open_urgent_requests": None}
    urgent = ContactRequest.objects.open_urgent()
    return {
        "open_urgent_requests": urgent.count(),
        "open_urgent_url": reverse("admin:intake_contactrequest_changelist")
        + "?attention=urgent&clear_search=1",
        # static/js/staff-live.js polls this to keep the banner and tab title current.
        "open_urgent_status_url": reverse("admin:intake_contactrequest_urgent_status"),
        "newest_urgent_request": urgent.order_by("-pk").values_list("pk", flat=True).first() or 0,
        "staff_poll_seconds": settings.STAFF_POLL_SECONDS,
    }
