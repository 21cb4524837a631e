"""A form body the site cannot decode gets the friendly 400 page, on every form."""

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import make_article

pytestmark = pytest.mark.django_db

FORMS = ["/contact/", "/admin/login/", "/articles/dose/feedback/"]


def post_with_csrf(path, content_type):
    make_article(slug="dose")
    client = Client(enforce_csrf_checks=True)
    client.get("/contact/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    body = f"csrfmiddlewaretoken={token}&name=J\xe9r\xf4me&message=hello".encode("latin-1")
    return client.generic("POST", path, body, content_type=content_type)


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded; charset=latin-1",
        "application/x-www-form-urlencoded; charset=utf-16",
        "multipart/form-data",  # no boundary
    ],
)
def test_an_undecodable_body_gets_the_friendly_400_page(path, content_type, caplog):
    response = post_with_csrf(path, content_type)

    assert response.status_code == 400
    page = response.content.decode()
    assert "We could not read what you sent" in page
    assert settings.CLINIC_PHONE in page
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize(
    "content_type",
    [
        # Django reads an unknown charset as UTF-8: the forms then refuse the bytes
        # that were not UTF-8 with their own messages.
        "application/x-www-form-urlencoded; charset=no-such-charset",
        "multipart/form-data; charset=utf-16; boundary=xyz",
    ],
)
def test_an_oddly_labelled_body_is_answered_without_an_error(path, content_type, caplog):
    response = post_with_csrf(path, content_type)

    assert response.status_code < 500
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


def test_a_request_for_a_host_the_site_does_not_serve_is_a_plain_400():
    client = Client(raise_request_exception=False)

    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    assert client.get("/articles/", HTTP_HOST="evil.example").status_code == 400
