"""The dashboard's figures per urgency, staff member, outcome, language and source, on
rows whose answers were worked out by hand, at a fixed clock."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from clinic_site.accounts.roles import setup_roles
from clinic_site.core.charts import bar_chart
from clinic_site.core.staff_display import duration_words
from clinic_site.intake import followup
from clinic_site.intake.figures import request_figures
from clinic_site.intake.models import Outcome, Source
from tests.factories import make_contact_request, make_staff
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db

# Wednesday 4 March 2026, 15:00 UTC (10:00 in New York).
NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
RISK = "I keep thinking about suicide"


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def known_rows(settings):
    settings.CLINIC_OPENING_HOURS = ""
    ana, _ = make_staff("ana")
    ben, _ = make_staff("ben")
    start = NOW - timedelta(days=1)

    def received(**fields):
        with at(start):
            return make_contact_request(**fields)

    # Urgent: ana reaches one after 2 minutes, ben one after 10; a third is only tried.
    urgent_a = received(message=RISK, preferred_language="es")
    urgent_b = received(message=RISK)
    urgent_tried = received(message=RISK)
    with at(start + timedelta(minutes=2)):
        followup.mark_contacted(contact_request=urgent_a, user=ana)
    with at(start + timedelta(minutes=10)):
        followup.mark_contacted(contact_request=urgent_b, user=ben)
    with at(start + timedelta(minutes=5)):
        followup.record_attempt(contact_request=urgent_tried, user=ana, channel="voicemail")

    # Routine: ana books one after 3 hours; a duplicate closed at once is no response.
    booked = received(source=Source.PHONE, preferred_language="es")
    duplicate = received()
    with at(start + timedelta(hours=3)):
        followup.close(contact_request=booked, user=ana, outcome=Outcome.CONSULTATION_BOOKED)
    with at(start + timedelta(minutes=1)):
        followup.close(contact_request=duplicate, user=ben, outcome=Outcome.DUPLICATE)
    # A walk-in nobody has reached yet.
    received(source=Source.WALK_IN)
    # Thirteen weeks ago: outside every figure.
    with at(NOW - timedelta(weeks=13)):
        old = make_contact_request(message=RISK)
        followup.mark_contacted(contact_request=old, user=ben)


def rows(counted) -> dict:
    return {row["label"]: row["count"] for row in counted}


def test_urgent_response_time_counts_only_people_reached(known_rows):
    urgent = request_figures(now=NOW)["urgent"]

    assert urgent["received"] == 3
    assert urgent["responded"] == 2
    assert urgent["median_minutes"] == 6  # of 2 and 10 minutes
    assert urgent["median_shown"] == "6 minutes"
    assert urgent["slowest_shown"] == "10 minutes"


def test_first_responses_per_staff_member(known_rows):
    by_staff = request_figures(now=NOW)["by_staff"]

    assert [(row["name"], row["responded"], row["median_minutes"]) for row in by_staff] == [
        ("ana", 2, 91.0),  # 2 minutes and 3 hours
        ("ben", 1, 10.0),  # the duplicate he closed is not a response
    ]
    assert by_staff[0]["median_shown"] == "1 hour 31 minutes"


def test_outcomes_languages_and_sources(known_rows):
    figures = request_figures(now=NOW)

    outcomes = rows(figures["outcomes"])
    assert outcomes["Consultation booked"] == 1
    assert outcomes["Duplicate of another request"] == 1
    assert sum(outcomes.values()) == 2
    assert rows(figures["languages"]) == {"English": 4, "Spanish": 2}
    assert rows(figures["sources"]) == {
        "Website form": 4,
        "Phone call": 1,
        "Walk-in at the front desk": 1,
    }


def test_the_dashboard_page_shows_the_figures(client, known_rows):
    setup_roles()
    user, _ = make_staff("manager", superuser=True)
    force_login_verified(client, user)

    with at(NOW):
        page = client.get(reverse("admin:dashboard")).content.decode()

    assert "<dt>Median time to reach them</dt><dd>6 minutes</dd>" in page
    table = page.split('id="first-response-by-staff"')[1].split("</table>")[0]
    assert re.search(r'<th scope="row">ana</th><td>2</td><td>1 hour 31 minutes</td>', table)
    assert '<th scope="row">Phone call</th><td>1</td>' in page
    assert '<th scope="row">Spanish</th><td>2</td>' in page


def test_a_two_minute_median_is_drawn_in_minutes_not_as_zero_hours(client, settings):
    settings.CLINIC_OPENING_HOURS = ""
    setup_roles()
    user, _ = make_staff("manager", superuser=True)
    with at(NOW - timedelta(minutes=2)):
        quick = make_contact_request()
    with at(NOW):
        followup.mark_contacted(contact_request=quick, user=user)
    force_login_verified(client, user)

    with at(NOW):
        page = client.get(reverse("admin:dashboard")).content.decode()

    assert ">Minutes</text>" in page.split('id="response-title"')[1].split("</svg>")[0]
    assert "0.0 hours" not in page
    assert "<td>2 minutes</td>" in page


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (0, "0 minutes"),
        (1, "1 minute"),
        (2.4, "2 minutes"),
        (60, "1 hour"),
        (65, "1 hour 5 minutes"),
        (1560, "26 hours"),
    ],
)
def test_durations_in_words(minutes, words):
    assert duration_words(minutes) == words


def test_every_other_label_can_be_left_out_on_a_phone():
    chart = bar_chart([1, 2, 3, 4], ["a", "b", "c", "d"], unit="requests")

    assert [bar["odd"] for bar in chart["bars"]] == [False, True, False, True]
    assert chart["unit"] == "requests"
