"""While the database is unreachable: cached public pages are still served (stale, and
marked so), and any other page is the outage page with the clinic's phone, in the
page's language, with 503 (never a 500).
"""

import pytest
from django.test import Client
from django.utils.html import escape

from clinic_site.core import pagecache
from tests.factories import make_article
from tests.helpers import database_unreachable

pytestmark = pytest.mark.django_db

STALE = "database-unavailable"


@pytest.fixture
def reader():
    # A server answers an exception with a page; the test client would re-raise it.
    return Client(raise_request_exception=False)


@pytest.fixture
def article(settings):
    # Check the content version on every request: the outage is seen at once.
    settings.PAGE_CACHE_CHECK_SECONDS = 0
    pagecache.reset()
    return make_article(slug="what-to-expect", title="What to expect")


def phone_link(settings) -> str:
    return f'href="tel:{settings.CLINIC_PHONE.replace(" ", "")}"'


def test_a_cached_page_is_served_stale_and_marked_so(reader, article):
    fresh = reader.get("/articles/what-to-expect/")
    assert fresh.status_code == 200
    assert "X-Served-Stale" not in fresh

    with database_unreachable():
        response = reader.get("/articles/what-to-expect/")

    assert response.status_code == 200
    assert response.content == fresh.content
    assert response["X-Served-Stale"] == STALE
    assert response["Content-Security-Policy"] == fresh["Content-Security-Policy"]
    # A stale copy is for this moment only: no browser or proxy may keep it.
    assert "no-store" in response["Cache-Control"]


def test_a_copy_past_its_cache_lifetime_still_beats_an_error_page(reader, article, settings):
    fresh = reader.get("/articles/what-to-expect/").content
    settings.PAGE_CACHE_SECONDS = 0  # every copy is now too old to serve normally

    with database_unreachable():
        response = reader.get("/articles/what-to-expect/")

    assert response.status_code == 200
    assert response.content == fresh
    assert response["X-Served-Stale"] == STALE


def test_a_cached_page_is_served_when_the_outage_starts_between_version_checks(
    reader, article, settings
):
    settings.PAGE_CACHE_CHECK_SECONDS = 3600
    reader.get("/")
    reader.get("/articles/what-to-expect/")

    with database_unreachable():
        cached = reader.get("/articles/what-to-expect/")
        not_cached = reader.get("/articles/")

    assert cached.status_code == 200
    assert not_cached.status_code == 503


@pytest.mark.parametrize(
    ("path", "language", "heading"),
    [
        ("/articles/", "en", "Our website is not working right now"),
        ("/es/articles/", "es", "Nuestro sitio web no funciona en este momento"),
    ],
)
def test_a_page_not_cached_is_the_outage_page_in_its_language(
    reader, article, settings, path, language, heading
):
    with database_unreachable():
        response = reader.get(path)

    assert response.status_code == 503
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert heading in page
    assert phone_link(settings) in page
    urgent = settings.URGENT_HELP_TEXT_ES if language == "es" else settings.URGENT_HELP_TEXT
    assert escape(urgent) in page
    assert response["Retry-After"]
    assert "no-store" in response["Cache-Control"]
    assert "X-Served-Stale" not in response
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    # Nothing about why: no host, no driver message.
    assert "10.0.0.5" not in page and "refused" not in page


def test_the_spanish_copy_is_never_served_for_the_english_page(reader, article):
    reader.get("/es/")

    with database_unreachable():
        response = reader.get("/")

    assert response.status_code == 503


def test_pages_are_fresh_again_once_the_database_is_back(reader, article):
    reader.get("/articles/what-to-expect/")
    with database_unreachable():
        reader.get("/articles/what-to-expect/")

    response = reader.get("/articles/what-to-expect/")

    assert response.status_code == 200
    assert "X-Served-Stale" not in response


def test_a_contact_form_post_is_never_answered_from_a_copy(reader, article, settings):
    with database_unreachable():
        response = reader.post("/contact/", {"name": "Ana"})

    assert response.status_code in (200, 503)
    assert phone_link(settings) in response.content.decode()
