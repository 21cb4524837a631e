"""The top of a request: the patient's words first, the Spanish urgent procedure, the
timing (out of hours, due in minutes when urgent) and escalations, in words."""

import re

import pytest
import time_machine

from tests.factories import make_contact_request
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db


def top_of(page: str) -> str:
    """The request's own section, before the admin's form."""
    return page[page.index('class="staff-work"') : page.index('class="staff-notes"')]


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_message_language_and_contact_preference_come_before_the_contact_details(front_desk):
    contact_request = make_contact_request(
        message="I have been thinking about ending my life.",
        preferred_contact_method="phone",
        phone="555-010-0188",
        best_time="evenings",
        preferred_language="es",
    )

    top = top_of(front_desk.get(contact_request.get_admin_url()).content.decode())

    message_at = top.index("thinking about ending my life")
    assert message_at < top.index("555-010-0188") < top.index(contact_request.email)
    assert top.index("Contact in") < top.index("555-010-0188")
    text = words(top)
    assert "Contact in Spanish (form sent in English)" in text
    assert "Prefers phone , evenings" in text


def test_a_spanish_urgent_request_shows_the_spanish_procedure(front_desk, settings):
    contact_request = make_contact_request(
        message="me voy a suicidar", language="es", preferred_language="es"
    )

    page = front_desk.get(contact_request.get_admin_url()).content.decode()
    box = page[page.index('class="staff-urgent-box"') : page.index("</section>")]

    assert "Spanish" in box
    assert "find a Spanish-speaking colleague" in box
    assert (
        f"call {settings.URGENT_HELP_PHONE} and press {settings.URGENT_HELP_PHONE_OPTION_ES}" in box
    )
    assert f'href="tel:{settings.URGENT_HELP_PHONE}"' in box


def test_an_english_urgent_request_shows_the_usual_procedure(front_desk, settings):
    contact_request = make_contact_request(message="I want to end it")

    page = front_desk.get(contact_request.get_admin_url()).content.decode()

    assert settings.URGENT_PROCEDURE_TEXT in page
    assert "find a Spanish-speaking colleague" not in page


def test_a_request_asking_for_spanish_from_the_english_form_gets_the_spanish_procedure(front_desk):
    contact_request = make_contact_request(message="I want to end it", preferred_language="es")

    page = front_desk.get(contact_request.get_admin_url()).content.decode()

    assert "find a Spanish-speaking colleague" in page


def test_a_request_sent_out_of_hours_says_so(front_desk, settings):
    settings.CLINIC_OPENING_HOURS = "mon-fri 09:00-17:00"
    with time_machine.travel("2026-12-05 23:30:00-05:00", tick=False):  # Saturday night
        night = make_contact_request()
    with time_machine.travel("2026-12-07 10:00:00-05:00", tick=False):  # Monday morning
        day = make_contact_request()
        # Logged in again at the travelled-to time: staff sessions end after idle minutes.
        force_login_verified(front_desk, front_desk.user)
        night_page = words(top_of(front_desk.get(night.get_admin_url()).content.decode()))
        day_page = words(top_of(front_desk.get(day.get_admin_url()).content.decode()))

    assert "outside opening hours" in night_page
    assert "outside opening hours" not in day_page


def test_an_urgent_request_is_due_in_minutes_on_its_page(front_desk, settings):
    settings.URGENT_FIRST_RESPONSE_MINUTES = 30
    with time_machine.travel("2026-12-02 16:50:00-05:00", tick=False):
        contact_request = make_contact_request(message="I want to end it")
        # Logged in again at the travelled-to time: staff sessions end after idle minutes.
        force_login_verified(front_desk, front_desk.user)
        text = words(top_of(front_desk.get(contact_request.get_admin_url()).content.decode()))

    assert "First response due by 02 Dec 2026, 17:20 (30 minutes: urgent)" in text
