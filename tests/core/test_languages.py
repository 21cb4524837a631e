"""English at today's addresses, Spanish under /es/, chosen by the address alone.

A visitor's browser language (Accept-Language) or an old language cookie never sends
them away from the page they asked for, and never changes what that address shows: the
page cache, keyed by the path, relies on it.
"""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

PATIENT_PAGES = ["/", "/articles/", "/contact/", "/privacy/", "/editorial-policy/"]


@pytest.mark.parametrize("path", PATIENT_PAGES)
def test_a_spanish_browser_gets_the_english_page_it_asked_for(client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Skip to main content" in html
    assert response["Content-Language"] == "en"
    assert "Accept-Language" not in response.get("Vary", "")


@pytest.mark.parametrize("path", PATIENT_PAGES)
def test_an_english_browser_gets_the_spanish_page_it_asked_for(client, path):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(f"/es{path}", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Ir al contenido principal" in html
    assert response["Content-Language"] == "es"


def test_the_cached_english_page_is_not_served_for_the_spanish_address(client):
    english = client.get("/").content.decode()
    spanish = client.get("/es/").content.decode()
    english_again = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert '<html lang="en">' in english and '<html lang="es">' in spanish
    assert english_again == english


@pytest.mark.parametrize("path", ["/", "/contact/", "/articles/search/"])
def test_every_page_links_to_itself_in_the_other_language(client, path):
    english = client.get(path).content.decode()
    spanish = client.get(f"/es{path}").content.decode()

    assert (
        f'<a class="nav__language" href="/es{path}" hreflang="es" lang="es">Español</a>' in english
    )
    assert f'<a class="nav__language" href="{path}" hreflang="en" lang="en">English</a>' in spanish
    assert '<meta property="og:locale:alternate" content="es_US">' in english
    assert '<meta property="og:locale:alternate" content="en_US">' in spanish
    for html in (english, spanish):
        assert f'<link rel="alternate" hreflang="en" href="http://testserver{path}">' in html
        assert f'<link rel="alternate" hreflang="es" href="http://testserver/es{path}">' in html


def test_the_admin_stays_english_and_unprefixed(client):
    login = client.get(f"/{settings.ADMIN_URL}login/", HTTP_ACCEPT_LANGUAGE="es")

    assert login.status_code == 200
    assert '<html lang="en"' in login.content.decode()
    assert client.get(f"/es/{settings.ADMIN_URL}login/").status_code == 404


def test_a_spanish_address_that_does_not_exist_answers_404_in_spanish(client):
    response = client.get("/es/no-existe/")

    assert response.status_code == 404
    assert "No encontramos esa página" in response.content.decode()
