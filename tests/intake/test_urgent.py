"""A message suggesting risk: flagged urgent, crisis resources shown, staff see it first."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from clinic_site.intake.models import ContactRequest
from clinic_site.intake.views import receipt_cookie_name
from tests.factories import CONTACT_URL, THANKS_URL, form_data, submit

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


def test_the_urgent_outcome_travels_in_a_signed_cookie_not_the_url(client):
    response = submit(client, form_data(message=RISKY))

    assert response["Location"] == THANKS_URL
    assert crisis_box(client.get(THANKS_URL).content.decode()) is not None
    # Shown once: a later visit (another person on a shared computer) sees no trace.
    assert crisis_box(client.get(THANKS_URL).content.decode()) is None


def test_sending_a_request_creates_no_session(client):
    submit(client, form_data(message=RISKY))
    client.get(THANKS_URL)

    assert Session.objects.count() == 0


def test_the_receipt_cookie_holds_only_a_signed_number_and_is_removed_once_shown(client):
    submit(client, form_data(message=RISKY))
    name = receipt_cookie_name()
    value = client.cookies[name].value
    number = ContactRequest.objects.get().pk

    assert value.split(":")[0] == str(number)  # the number and a signature, nothing else
    assert client.cookies[name]["httponly"] and client.cookies[name]["secure"]

    response = client.get(THANKS_URL)
    assert response.cookies[name].value == ""  # deleted


def test_a_forged_receipt_reveals_nothing(client):
    submit(client, form_data(message=RISKY))
    number = ContactRequest.objects.get().pk

    other = Client()
    other.cookies[receipt_cookie_name()] = f"{number}:forged-signature"

    assert crisis_box(other.get(THANKS_URL).content.decode()) is None


def test_another_visitor_cannot_see_someone_elses_urgent_outcome(client):
    submit(client, form_data(message=RISKY))

    assert crisis_box(Client().get(THANKS_URL).content.decode()) is None


def test_contact_page_always_shows_the_urgent_help_notice(client, settings):
    page = client.get(CONTACT_URL).content.decode()

    assert "not monitored around the clock" in page
    assert 'id="urgent-help"' in page  # the site-wide banner too
