"""The site-wide pages and what every page carries: urgent help, 404, 500, robots.txt."""

import pytest
from django.test import override_settings

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_every_page_shows_the_urgent_help_notice(client):
    article = make_article()
    for url in ["/", "/articles/", article.get_absolute_url(), "/privacy/", "/contact/"]:
        html = client.get(url).content.decode()
        assert "call or text 988" in html, url
        assert 'href="tel:988"' in html, url


def test_urgent_help_wording_comes_from_settings(client, settings):
    settings.URGENT_HELP_TEXT = "In the UK, call 111 or Samaritans on 116 123."
    settings.URGENT_HELP_PHONE = "116123"

    html = client.get("/").content.decode()

    assert "Samaritans on 116 123" in html
    assert 'href="tel:116123"' in html


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert "call or text 988" in html


@override_settings(ROOT_URLCONF="tests.core.urls_with_error")
def test_server_error_page_is_friendly_and_shows_urgent_help(client):
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "call or text 988" in html


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
