"""The clinic manager's dashboard: figures that match the rows behind them, shown only to
those allowed to see those rows."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from clinic_site.accounts.roles import setup_roles
from clinic_site.articles.models import Feedback
from clinic_site.core.charts import bar_chart, nice_ceiling
from clinic_site.intake.figures import queue_counts, week_start, weekly_requests
from clinic_site.intake.models import Status
from tests.factories import make_article, make_contact_request, make_staff
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def roles(db):
    setup_roles()


DASHBOARD = reverse("admin:dashboard")
RISK_MESSAGE = "I want to kill myself"


def received(week_offset: int, minutes: int, *, response_hours=None, **fields):
    """A request received ``minutes`` into the week ``week_offset`` weeks ago; this week's
    are received seconds ago instead, so that none is overdue yet."""
    if week_offset == 0:
        created = timezone.now() - timedelta(seconds=minutes)
    else:
        start = week_start(timezone.now()) - timedelta(weeks=week_offset)
        created = start + timedelta(minutes=minutes)
    request = make_contact_request(created_at=created, **fields)
    if response_hours is not None:
        request.status = Status.CONTACTED
        request.save()
        type(request).objects.filter(pk=request.pk).update(
            first_response_at=created + timedelta(hours=response_hours)
        )
    return request


# A Wednesday afternoon in the clinic's time zone: "this week" has room on both sides.
# (Unfixed, the rows received "seconds ago" fell into last week on a Monday just after
# midnight, which CI's fixed-instant run caught.)
MIDWEEK = datetime(2026, 12, 2, 15, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture
def known_rows(settings):
    """Twelve weeks of requests with counts and response times worked out by hand."""
    with time_machine.travel(MIDWEEK, tick=True):
        yield _known_rows(settings)


def _known_rows(settings):
    settings.CLINIC_OPENING_HOURS = ""  # clock hours
    settings.CONTACT_FIRST_RESPONSE_HOURS = 24
    # This week: 3 received; responses after 2 h and 4 h (median 3), one still new.
    received(0, 1, response_hours=2)
    received(0, 2, response_hours=4)
    received(0, 3)
    # Two weeks ago: 2 received, responses after 10 h and 30 h (median 20).
    received(2, 60, response_hours=10)
    received(2, 61, response_hours=30)
    # Eleven weeks ago (the oldest week shown): 1 received, never answered, so overdue.
    received(11, 5)
    # Thirteen weeks ago: outside the 12 weeks; contacted, so not in any count either.
    received(13, 5, response_hours=1)
    # Open urgent, received this week without a response.
    received(0, 4, message=RISK_MESSAGE)


def test_weekly_figures_match_the_rows(known_rows):
    weeks = weekly_requests()

    assert len(weeks) == 12
    assert [week.start for week in weeks] == sorted(week.start for week in weeks)
    this_week, two_ago, oldest = weeks[-1], weeks[-3], weeks[0]
    assert (this_week.received, this_week.responded, this_week.median_hours) == (4, 2, 3.0)
    assert (two_ago.received, two_ago.responded, two_ago.median_hours) == (2, 2, 20.0)
    assert (oldest.received, oldest.responded, oldest.median_hours) == (1, 0, None)
    assert sum(week.received for week in weeks) == 7


def test_queue_counts_match_the_rows(known_rows):
    assert queue_counts() == {"open": 3, "new": 3, "urgent": 1, "overdue": 1}


def test_the_dashboard_page_shows_the_counts_the_charts_and_the_table(client, roles, known_rows):
    user, _ = make_staff("manager", superuser=True)
    force_login_verified(client, user)

    page = client.get(DASHBOARD).content.decode()

    assert re.search(r"<dt>Open</dt><dd>3</dd>", page)
    assert re.search(r"<dt>Urgent, open</dt><dd>1</dd>", page)
    assert re.search(r"<dt>Overdue</dt><dd>1</dd>", page)
    assert page.count('<svg class="staff-chart"') == 2
    assert 'class="staff-chart__unit"' in page and ">Hours</text>" in page
    assert page.count('role="img"') == 2 and page.count("<title id=") == 2
    rows = re.findall(
        r"<tr><th scope=\"row\">[^<]*</th><td>(\d+)</td><td>(\d+)</td><td>([^<]*)</td>", page
    )
    assert len(rows) == 12
    assert rows[-1] == ("4", "2", "3 hours")
    assert rows[-3] == ("2", "2", "20 hours")
    assert rows[0] == ("1", "0", "No responses")
    assert "http://" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )  # nothing fetched from elsewhere


def test_the_dashboard_counts_helpful_answers_per_article(client, roles):
    user, _ = make_staff("manager", superuser=True)
    force_login_verified(client, user)
    calm = make_article(title="Calm article")
    make_article(title="Unrated article")
    for helpful in (True, True, False):
        Feedback.objects.create(article=calm, helpful=helpful)

    page = client.get(DASHBOARD).content.decode()

    assert '<tr><th scope="row">Calm article</th><td>2</td><td>1</td></tr>' in page
    assert "Unrated article" not in page


def test_an_editor_sees_feedback_but_neither_requests_nor_their_figures(known_rows, editor):
    response = editor.get(DASHBOARD)
    page = response.content.decode()

    assert response.status_code == 200
    assert "Was this page helpful?" in page
    assert "Contact requests now" not in page and "staff-chart" not in page
    assert "Requests received" not in page and "urgent" not in page.lower()


def test_front_desk_sees_the_request_figures_but_not_readers_feedback(known_rows, front_desk):
    page = front_desk.get(DASHBOARD).content.decode()

    assert "Contact requests now" in page
    assert "Was this page helpful?" not in page


def test_staff_allowed_neither_get_no_dashboard(client, roles):
    user, _ = make_staff("auditor")
    user.user_permissions.add(
        Permission.objects.get(codename="view_accesslog", content_type__app_label="intake")
    )
    force_login_verified(client, user)

    assert client.get(DASHBOARD).status_code == 403
    assert ">Dashboard</a>" not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 4), (3, 4), (4, 4), (5, 8), (9, 12), (13, 20), (21, 40), (150, 200)]
)
def test_the_chart_scale_ends_on_a_round_number(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_bars_are_as_tall_as_their_share_of_the_scale():
    chart = bar_chart([4, 2, None, 0], ["a", "b", "c", "d"])

    heights = [bar["height"] for bar in chart["bars"]]
    assert heights[0] == 2 * heights[1] > 0
    assert heights[2] == heights[3] == 0
    assert chart["bars"][0]["y"] + heights[0] == chart["baseline"]
