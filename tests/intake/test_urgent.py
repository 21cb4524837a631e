"""A message suggesting risk: flagged urgent, crisis resources shown, staff see it first."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from clinic_site.intake.models import ContactRequest

from .factories import CONTACT_URL, THANKS_URL, form_data, submit

pytestmark = pytest.mark.django_db

RISKY = "Some days I don't want to live anymore and I don't know what to do."


def crisis_box(page: str) -> str | None:
    match = re.search(r'<section class="crisis-box".*?</section>', page, re.S)
    return match.group(0) if match else None


def test_a_message_suggesting_risk_is_stored_urgent(client):
    submit(client, form_data(message=RISKY))

    assert ContactRequest.objects.get().urgent is True


def test_an_ordinary_message_is_not_urgent(client):
    submit(client)

    assert ContactRequest.objects.get().urgent is False


def test_thank_you_page_puts_crisis_resources_first_when_urgent(client, settings):
    submit(client, form_data(message=RISKY))
    page = client.get(THANKS_URL).content.decode()

    box = crisis_box(page)
    assert box is not None
    assert f'href="tel:{settings.URGENT_HELP_PHONE}"' in box
    assert f'href="sms:{settings.URGENT_HELP_PHONE}"' in box
    assert f'href="tel:{settings.EMERGENCY_PHONE}"' in box
    main = page[page.index('<main id="main"') :]
    assert main.index('class="crisis-box"') < main.index("<h1>")


def test_thank_you_page_has_no_crisis_box_for_an_ordinary_request(client):
    submit(client)

    assert crisis_box(client.get(THANKS_URL).content.decode()) is None


def test_the_urgent_outcome_travels_in_the_session_not_the_url(client):
    response = submit(client, form_data(message=RISKY))

    assert response["Location"] == THANKS_URL
    assert crisis_box(client.get(THANKS_URL).content.decode()) is not None
    # Shown once: a later visit (another person on a shared computer) sees no trace.
    assert crisis_box(client.get(THANKS_URL).content.decode()) is None


def test_the_visitors_session_is_deleted_once_the_outcome_is_shown(client):
    submit(client, form_data(message=RISKY))
    session_key = client.session.session_key
    assert session_key

    client.get(THANKS_URL)

    assert not Session.objects.filter(session_key=session_key).exists()


def test_another_visitor_cannot_see_someone_elses_urgent_outcome(client):
    submit(client, form_data(message=RISKY))

    assert crisis_box(Client().get(THANKS_URL).content.decode()) is None


def test_contact_page_always_shows_the_urgent_help_notice(client, settings):
    page = client.get(CONTACT_URL).content.decode()

    assert "not monitored around the clock" in page
    assert 'id="urgent-help"' in page  # the site-wide banner too
