"""Counting needs no cookie: no public page sets one, the contact form's CSRF cookie
aside (it protects the form, and says nothing about the reader)."""

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
