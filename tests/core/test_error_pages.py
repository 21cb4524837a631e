"""Every error page a reader can meet gives the clinic's phone and urgent help, in the
page's language: 400, 403, 404, 410, 429, 500 and 503."""

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils.html import escape

from tests.factories import form_data, make_article
from tests.helpers import database_unreachable

pytestmark = pytest.mark.django_db

PREFIX = {"en": "", "es": "/es"}


def reader(**options) -> Client:
    # A server answers an exception with a page; the test client would re-raise it.
    return Client(raise_request_exception=False, **options)


def bad_request(language):
    # A Host the site does not answer to (a scanner, a misdirected proxy).
    return reader().get(f"{PREFIX[language]}/", HTTP_HOST="attacker.example")


def unreadable_body(language):
    return reader().generic(
        "POST",
        f"{PREFIX[language]}/contact/",
        b"name=J\xe9r\xf4me",
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )


def forbidden(language):
    # A form posted without its security token (an expired page, a blocked cookie).
    return reader(enforce_csrf_checks=True).post(f"{PREFIX[language]}/contact/", {"name": "A"})


def not_found(language):
    return reader().get(f"{PREFIX[language]}/no-such-page/")


def gone(language):
    make_article(slug="removed-page", language=language).delete()
    return reader().get(f"{PREFIX[language]}/articles/removed-page/")


def too_many(language):
    client = reader()
    # Beyond CONTACT_RATE_LIMIT a request is held, not refused; beyond the flood limit it
    # is refused with the 429 page.
    with override_settings(CONTACT_RATE_LIMIT=1, CONTACT_FLOOD_LIMIT=1):
        client.post(f"{PREFIX[language]}/contact/", form_data())
        return client.post(f"{PREFIX[language]}/contact/", form_data())


@override_settings(ROOT_URLCONF="tests.core.urls_with_error")
def server_error(language):
    return reader().get(f"{PREFIX[language]}/boom/")


def unavailable(language):
    with database_unreachable():
        return reader().get(f"{PREFIX[language]}/articles/")


PAGES = {
    400: bad_request,
    "400 body": unreadable_body,
    403: forbidden,
    404: not_found,
    410: gone,
    429: too_many,
    500: server_error,
    503: unavailable,
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("status", list(PAGES))
def test_every_error_page_gives_the_clinics_phone_and_urgent_help(status, language):
    response = PAGES[status](language)

    assert response.status_code == int(str(status).split()[0])
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert f'href="tel:{settings.CLINIC_PHONE.replace(" ", "")}"' in page
    urgent = settings.URGENT_HELP_TEXT_ES if language == "es" else settings.URGENT_HELP_TEXT
    assert escape(urgent) in page
    assert f'href="tel:{settings.URGENT_HELP_PHONE}"' in page
    assert f'href="tel:{settings.EMERGENCY_PHONE}"' in page
    hours = settings.CLINIC_HOURS_ES if language == "es" else settings.CLINIC_HOURS
    assert escape(hours) in page
