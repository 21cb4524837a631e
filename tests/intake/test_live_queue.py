"""Open staff pages stay current: a status endpoint with numbers only, the open-urgent
count in the tab title, and the script that polls it (static/js/staff-live.js)."""

import pytest
from django.urls import reverse

from clinic_site.accounts.roles import EDITOR
from clinic_site.intake.models import Status
from tests.factories import make_contact_request, make_staff
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db

STATUS_URL = "admin:intake_contactrequest_urgent_status"


def test_the_status_says_how_many_urgent_requests_are_open_and_the_newest(front_desk):
    make_contact_request()
    first = make_contact_request(message="I want to end it")
    newest = make_contact_request(message="kms")
    make_contact_request(message="I want to end it", status=Status.CONTACTED)

    response = front_desk.get(reverse(STATUS_URL))

    assert response.json() == {"count": 2, "newest": newest.pk}
    assert first.pk < newest.pk
    assert "no-store" in response["Cache-Control"]


def test_the_status_holds_no_patient_data(front_desk):
    make_contact_request(name="Riley Example", message="I want to end it")

    body = front_desk.get(reverse(STATUS_URL)).content.decode()

    assert "Riley" not in body and "end it" not in body


def test_the_status_is_for_staff_who_read_requests_only(client, roles):
    assert client.get(reverse(STATUS_URL)).status_code == 302  # to the login page
    editor, _ = make_staff("editor", groups=[EDITOR])
    force_login_verified(client, editor)
    assert client.get(reverse(STATUS_URL)).status_code == 403


def test_the_tab_title_carries_the_open_urgent_count(front_desk):
    assert not front_desk.get(reverse("admin:index")).content.decode().count("urgent) ")
    make_contact_request(message="I want to end it")
    make_contact_request(message="me voy a suicidar")

    page = front_desk.get(reverse("admin:intake_contactrequest_changelist")).content.decode()

    assert "<title>(2 urgent) " in page


def test_every_staff_page_loads_the_polling_script_with_where_to_ask(front_desk):
    urgent = make_contact_request(message="I want to end it")

    page = front_desk.get(reverse("admin:index")).content.decode()

    assert "js/staff-live" in page
    assert f'data-status-url="{reverse(STATUS_URL)}"' in page
    assert f'data-newest="{urgent.pk}"' in page
