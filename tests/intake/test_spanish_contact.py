"""The contact form in Spanish: the request records both languages, staff see and
filter them, and Spanish urgent phrases are caught like the English ones."""

from urllib.parse import urlencode

import pytest
from django.conf import settings

from clinic_site.intake import consent
from clinic_site.intake.models import ContactRequest
from clinic_site.intake.risk import RISK_PHRASES_ES, normalise, suggests_risk
from tests.factories import FORM_TYPE, form_data, make_contact_request

pytestmark = pytest.mark.django_db

SPANISH_CONTACT_URL = "/es/contact/"
CHANGELIST = f"/{settings.ADMIN_URL}intake/contactrequest/"


def submit_in_spanish(client, **overrides):
    body = urlencode(form_data(**overrides))
    return client.post(SPANISH_CONTACT_URL, body, content_type=FORM_TYPE)


def test_the_spanish_form_speaks_spanish_and_asks_the_language_for_contact(client):
    html = client.get(SPANISH_CONTACT_URL).content.decode()

    assert '<html lang="es">' in html
    assert "Comuníquese con la clínica" in html
    assert consent.current_text("es") in html
    # Spanish is chosen in advance for a reader of the Spanish form, and each language
    # is named in its own words (and marked as such for screen readers).
    assert 'name="preferred_language" value="es" id="id_preferred_language_1" checked>' in html
    assert '<label for="id_preferred_language_0" lang="en">English</label>' in html


def test_a_request_sent_from_the_spanish_form_records_both_languages(client):
    response = submit_in_spanish(client, preferred_language="es")

    assert response.status_code == 302
    assert response["Location"] == "/es/contact/thanks/"
    stored = ContactRequest.objects.get()
    assert stored.language == "es"
    assert stored.preferred_language == "es"
    assert stored.consent_version == consent.version_for("es") != consent.CURRENT_VERSION


def test_the_preferred_language_defaults_to_the_forms_language(client):
    submit_in_spanish(client, preferred_language=None)
    client.post("/contact/", urlencode(form_data()), content_type=FORM_TYPE)

    spanish, english = ContactRequest.objects.order_by("pk")
    assert (spanish.language, spanish.preferred_language) == ("es", "es")
    assert (english.language, english.preferred_language) == ("en", "en")


def test_a_spanish_reader_may_ask_to_be_contacted_in_english(client):
    submit_in_spanish(client, preferred_language="en")

    stored = ContactRequest.objects.get()
    assert (stored.language, stored.preferred_language) == ("es", "en")


def test_spanish_errors_are_in_spanish_and_keep_what_was_typed(client):
    response = submit_in_spanish(client, name="", message="Hola, quisiera información.")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Escriba su nombre" in html
    assert "Hola, quisiera información." in html
    assert not ContactRequest.objects.exists()


@pytest.mark.parametrize(
    "message",
    [
        "A veces pienso en el suicidio.",
        "Ya no quiero vivir así",
        "me quiero quitar la vida",
        "Me quiero morir",
        "He vuelto a hacerme dano",  # typed without the tilde
        "tengo pensamientos SUICIDAS",
        "Pensé en tomarme todas las pastillas",
        "A veces quiero acabar con todo.",
    ],
)
def test_spanish_messages_suggesting_risk_are_flagged(message):
    assert suggests_risk(message)


@pytest.mark.parametrize(
    "message",
    [
        "Quisiera saber cuánto cuestan las infusiones.",
        "Mi depresión no ha mejorado con dos medicamentos. ¿Me puede ayudar la ketamina?",
        "¿La ketamina puede causar una sobredosis? Me preocupa la dosis.",
        "Este dolor crónico me está matando, llevo años así.",
        "Por favor llámenme después de las 5, trabajo por la mañana.",
        "Me muero de ganas de saber si el seguro lo cubre.",
    ],
)
def test_ordinary_spanish_messages_are_not_flagged(message):
    assert not suggests_risk(message)


def test_every_spanish_phrase_flags_a_message_containing_it():
    for phrase in RISK_PHRASES_ES:
        assert normalise(phrase), phrase
        assert suggests_risk(f"Hola. {phrase.upper()}. Gracias"), phrase


def test_an_urgent_spanish_request_is_stored_urgent_and_shows_988_in_spanish(client):
    response = submit_in_spanish(client, message="No quiero vivir más, necesito ayuda.")
    assert ContactRequest.objects.get().urgent

    client.cookies.update(response.cookies)
    html = client.get(response["Location"]).content.decode()
    assert "Si está pensando en el suicidio o en hacerse daño" in html
    assert f"marque el {settings.URGENT_HELP_PHONE_OPTION_ES}" in html
    assert settings.URGENT_HELP_TEXT_KEYWORD_ES in html


def test_staff_see_and_filter_requests_by_language(admin_client_with_otp):
    make_contact_request(name="Spanish sender", language="es", preferred_language="es")
    make_contact_request(name="English sender", language="en", preferred_language="en")
    make_contact_request(name="Mixed sender", language="es", preferred_language="en")

    everyone = admin_client_with_otp.get(CHANGELIST).content.decode()
    assert "English (form in Spanish)" in everyone
    assert ">Spanish</td>" in everyone

    by_contact = admin_client_with_otp.get(CHANGELIST, {"preferred_language__exact": "es"})
    html = by_contact.content.decode()
    assert "Spanish sender" in html
    assert "English sender" not in html and "Mixed sender" not in html

    by_form = admin_client_with_otp.get(CHANGELIST, {"language__exact": "es"}).content.decode()
    assert "Spanish sender" in by_form and "Mixed sender" in by_form
    assert "English sender" not in by_form
