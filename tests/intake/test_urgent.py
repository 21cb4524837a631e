"""A message suggesting risk: flagged urgent, crisis resources shown, staff see it first."""

import re
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic_site.intake import consent
from clinic_site.intake.models import ContactRequest, Source
from clinic_site.intake.services import log_staff_request
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


# --- One rule, whichever way a request arrives --------------------------------------------

# Spanish, typed without accents, as people often do: the rule reads both languages.
RISKY_ES = "No aguanto mas, ya no quiero vivir."


def _submitted(message) -> dict:
    return {
        "name": "Sam Example",
        "email": "sam@example.com",
        "preferred_contact_method": "email",
        "interest": "other",
        "message": message,
        "consent_version": consent.CURRENT_VERSION,
        "consented_at": timezone.now(),
    }


def _stored_from_the_form(message, staff):
    submit(Client(), form_data(message=message))
    return ContactRequest.objects.latest("pk")


def _logged_by_staff_on_the_admin_page(message, staff):
    staff.post(
        reverse("admin:intake_contactrequest_log"),
        {
            "source": "phone",
            "name": "Maria Example",
            "phone": "555 010 0188",
            "preferred_contact_method": "phone",
            "interest": "depression",
            "message": message,
            "preferred_language": "es",
            "consent": "on",
        },
    )
    return ContactRequest.objects.latest("pk")


def _logged_by_staff_in_code(message, staff):
    data = {**_submitted(message), "phone": "555 010 0199", "preferred_contact_method": "phone"}
    return log_staff_request(data=data, source=Source.WALK_IN, user=staff.user)


def _created_in_the_shell(message, staff):
    return ContactRequest.objects.create(**_submitted(message))


def _imported_in_bulk(message, staff):
    # An import (or a data migration) writing many rows at once never calls save().
    ContactRequest.objects.bulk_create([ContactRequest(**_submitted(message))])
    return ContactRequest.objects.latest("pk")


@pytest.mark.parametrize(
    "arrive",
    [
        _stored_from_the_form,
        _logged_by_staff_on_the_admin_page,
        _logged_by_staff_in_code,
        _created_in_the_shell,
        _imported_in_bulk,
    ],
)
def test_a_request_is_urgent_by_its_words_whichever_way_it_arrives(arrive, admin_client_with_otp):
    staff = admin_client_with_otp
    for message, urgent in [(RISKY, True), (RISKY_ES, True), ("What does it cost?", False)]:
        before = ContactRequest.objects.count()

        stored = arrive(message, staff)

        assert ContactRequest.objects.count() == before + 1  # this one, not an earlier one
        assert stored.urgent is urgent, message


def test_one_module_applies_the_urgent_rule():
    # The words' rule is risk.suggests_risk; only the model (ContactRequest.message_is_urgent)
    # calls it, so the form, staff logging, imports and the rate-limited page agree.
    intake = Path(__file__).resolve().parents[2] / "clinic_site" / "intake"
    callers = sorted(
        str(path.relative_to(intake))
        for path in intake.rglob("*.py")
        if "suggests_risk" in path.read_text() and path.name != "risk.py"
    )

    assert callers == ["models.py"]
