"""Requests beyond the per-address limit are held, never refused silently: staff see them
in words, can list them, and the dashboard counts holds and refusals."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from clinic_site.accounts.roles import FRONT_DESK
from clinic_site.intake.figures import held_and_turned_away
from clinic_site.intake.models import ContactRequest, HoldReason, TurnedAway, TurnedAwayReason
from tests.factories import form_data, make_contact_request, make_staff, submit
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:intake_contactrequest_changelist")
NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


def test_a_held_request_says_so_in_words_in_the_queue_and_on_the_request(front_desk):
    held = make_contact_request(name="Waiting Room", held_reason=HoldReason.MANY_REQUESTS)
    make_contact_request(name="Ordinary Person")

    page = front_desk.get(CHANGELIST).content.decode()
    page = page.split("<tbody>")[1].split("</tbody>")[0]  # the rows, not the filters
    row = next(r for r in page.split("<tr") if "Waiting Room" in r)
    assert "Held: many requests from one network" in row
    other = next(r for r in page.split("<tr") if "Ordinary Person" in r)
    assert "Held" not in other

    request_page = front_desk.get(reverse("admin:intake_contactrequest_change", args=[held.pk]))
    assert "Yes: many requests from one network" in request_page.content.decode()


def test_staff_can_list_only_the_held_requests(front_desk):
    held = make_contact_request(held_reason=HoldReason.MANY_REQUESTS)
    make_contact_request()

    response = front_desk.get(CHANGELIST + "?held=held")

    assert [row.pk for row in response.context["cl"].result_list] == [held.pk]


def test_a_held_request_joins_the_queue_and_the_urgent_check(client, settings):
    settings.CONTACT_RATE_LIMIT = 1
    submit(client)
    submit(client, form_data(message="I keep thinking about suicide"))

    held = ContactRequest.objects.get(held_reason=HoldReason.MANY_REQUESTS)
    assert held.urgent
    assert ContactRequest.objects.open_urgent().get() == held


def test_the_dashboard_counts_holds_and_refusals_of_the_last_30_days():
    with time_machine.travel(NOW - timedelta(days=31), tick=False):
        make_contact_request(held_reason=HoldReason.MANY_REQUESTS)  # too old
        TurnedAway.objects.create(reason=TurnedAwayReason.FLOOD)
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        make_contact_request(held_reason=HoldReason.MANY_REQUESTS)
        make_contact_request(held_reason=HoldReason.MANY_REQUESTS)
        make_contact_request()
        for _ in range(3):
            TurnedAway.objects.create(reason=TurnedAwayReason.FLOOD)
        TurnedAway.objects.create(reason=TurnedAwayReason.BOT)

    assert held_and_turned_away(now=NOW) == {"held": 2, "refused": 3, "bots": 1, "days": 30}


def test_the_dashboard_shows_the_held_and_refused_counts(client, roles, settings):
    settings.CONTACT_RATE_LIMIT = 1
    settings.CONTACT_FLOOD_LIMIT = 2
    for n in range(3):
        submit(client, form_data(name=f"Person {n}"))
    user, _ = make_staff("desk", groups=[FRONT_DESK])
    force_login_verified(client, user)

    page = client.get(reverse("admin:dashboard")).content.decode()

    assert "<dt>Held: many requests from one network</dt><dd>1</dd>" in page
    assert "<dt>Refused: far too many from one network</dt><dd>1</dd>" in page
