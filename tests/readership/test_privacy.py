"""Counting needs no cookie: no public page sets one, the contact form's CSRF cookie
aside (it protects the form, and says nothing about the reader). The privacy notice says
what is counted and for how long, in both languages."""

import pytest
from django.conf import settings

from tests.factories import make_article

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PUBLIC_PAGES = [
    "/",
    "/articles/",
    "/articles/dose/",
    "/articles/search/?q=dose",
    "/articles/search/?q=nothing+matches+this",
    "/privacy/",
    "/editorial-policy/",
    "/no-such-page/",
    "/es/",
    "/es/articles/",
    "/es/articles/dosis/",
    "/es/articles/search/?q=dosis",
    "/es/privacy/",
    "/sitemap.xml",
    "/robots.txt",
]


def test_no_public_page_sets_a_cookie(client):
    make_article(slug="dose", title="Dose")
    make_article(slug="dosis", title="Dosis", language="es")

    for path in PUBLIC_PAGES * 2:  # built, then (where cached) from the page cache
        response = client.get(path, headers={"user-agent": BROWSER})
        assert response.status_code in (200, 404), path
        assert dict(response.cookies) == {}, path


@pytest.mark.parametrize("path", ["/contact/", "/contact/?from=dose", "/es/contact/"])
def test_the_contact_form_sets_only_its_csrf_cookie(client, path):
    response = client.get(path, headers={"user-agent": BROWSER})

    assert response.status_code == 200
    assert list(response.cookies) == [settings.CSRF_COOKIE_NAME]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/privacy/", ["What the website counts", "deleted after 365 days", "after 90 days"]),
        ("/es/privacy/", ["Qué cuenta el sitio web", "después de 365 días", "después de 90 días"]),
    ],
)
def test_the_privacy_notice_says_what_is_counted_and_for_how_long(client, settings, path, expected):
    settings.READERSHIP_KEEP_DAYS = 365

    page = client.get(path).content.decode()

    for words in expected:
        assert words in page
