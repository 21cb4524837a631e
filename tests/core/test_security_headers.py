"""Every response carries the headers that earn an A+ on the MDN HTTP Observatory.

Checked on a public page, the admin (login and a verified page), the article editor, a
404 and a 500, each fetched as the proxy forwards it (X-Forwarded-Proto: https).
"""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import make_article, make_contact_request, make_staff
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db

HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}
ONE_YEAR = 365 * 24 * 3600


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response):
    csp = csp_directives(response)
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] in (["'none'"], ["'self'"])
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "unsafe" not in response["Content-Security-Policy"]

    hsts = response["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts)[1]) >= ONE_YEAR
    assert "includeSubDomains" in hsts
    assert response["Referrer-Policy"] in ("same-origin", "strict-origin", "no-referrer")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "Access-Control-Allow-Origin" not in response


def assert_only_script_files(page: str):
    """Nothing in the page that script-src 'self' would block."""
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", page, flags=re.S):
        if "application/json" in attrs or "application/ld+json" in attrs:
            continue
        src = re.search(r'src="([^"]+)"', attrs)
        assert src and src[1].startswith("/"), f"script not from this site: {attrs}"
        assert not body.strip(), f"inline script would be blocked: {body[:80]}"
    assert not re.search(r"<[^>]+\son[a-z]+=", page), "an inline event handler would be blocked"
    assert "javascript:" not in page


def assert_no_store(response):
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_public_pages_carry_every_header(client):
    article = make_article()
    for url in ("/", reverse("articles:list"), article.get_absolute_url()):
        response = client.get(url, **HTTPS)
        assert response.status_code == 200, url
        assert_security_headers(response)


def test_the_contact_form_with_errors_and_the_thank_you_page_are_never_stored(client):
    errors = client.post(reverse("intake:contact"), {"name": "Sam Patient"}, **HTTPS)
    assert errors.status_code == 200
    assert "Sam Patient" in errors.content.decode()
    assert_no_store(errors)
    assert_security_headers(errors)

    thanks = client.get(reverse("intake:thanks"), **HTTPS)
    assert_no_store(thanks)
    assert_security_headers(thanks)


@pytest.mark.parametrize("url_name", ["intake:contact", "admin:login"])
def test_the_contact_form_and_the_admin_login_carry_every_header_and_are_never_stored(
    client, url_name
):
    response = client.get(reverse(url_name), **HTTPS)

    assert response.status_code == 200
    assert_security_headers(response)
    assert_no_store(response)
    assert_only_script_files(response.content.decode())


def test_admin_pages_carry_every_header_are_never_stored_and_run_under_the_csp(client):
    user, _ = make_staff("desk", superuser=True)
    force_login_verified(client, user)
    article = make_article()
    contact_request = make_contact_request()

    for url in (
        reverse("admin:index"),
        reverse("admin:intake_contactrequest_changelist"),
        reverse("admin:intake_contactrequest_change", args=[contact_request.pk]),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_add"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:otp_totp_totpdevice_changelist"),
    ):
        response = client.get(url, **HTTPS)
        assert response.status_code == 200, url
        assert_security_headers(response)
        assert_no_store(response)
        assert_only_script_files(response.content.decode())


def test_a_404_carries_every_header(client):
    response = client.get("/no-such-page/", **HTTPS)

    assert response.status_code == 404
    assert_security_headers(response)


@override_settings(ROOT_URLCONF="tests.core.urls_with_error")
def test_a_500_carries_every_header():
    client = Client(raise_request_exception=False)

    response = client.get("/boom/", **HTTPS)

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert_security_headers(response)


def test_plain_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/articles/", HTTP_X_FORWARDED_PROTO="http")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/articles/"


def test_the_load_balancer_probe_is_not_redirected(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz", HTTP_X_FORWARDED_PROTO="http").status_code == 200


def test_cookies_are_host_prefixed_secure_httponly_and_samesite(client):
    make_staff("desk", superuser=True)
    login_page = client.get(reverse("admin:login"), **HTTPS)
    csrf = login_page.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    assert csrf["path"] == "/" and not csrf["domain"]

    user, _ = make_staff("desk2", superuser=True)
    force_login_verified(client, user)
    response = client.get(reverse("admin:index"), **HTTPS)
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]


def test_the_markdownx_editor_loads_only_script_files_and_previews_in_a_div(client):
    """The article editor works under script-src 'self', and needs no framing.

    markdownx renders its live preview into a <div> (not an <iframe>), so the admin can
    keep X-Frame-Options: DENY and frame-ancestors 'none' like every other page.
    """
    user, _ = make_staff("editor", superuser=True)
    force_login_verified(client, user)
    article = make_article()

    response = client.get(reverse("admin:articles_article_change", args=[article.pk]), **HTTPS)
    page = response.content.decode()

    assert response["X-Frame-Options"] == "DENY"
    assert '<div class="markdownx-preview">' in page
    assert "<iframe" not in page
    assert re.search(r'<script src="/static/markdownx/js/markdownx[.a-z0-9]*js"', page)
    assert_only_script_files(page)

    # The preview's request goes to our own endpoint (connect-src 'self').
    editor_url = re.search(r'data-markdownx-urls-path="([^"]+)"', page)[1]
    assert editor_url == "/editor/markdownify/"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    preview = client.post(
        editor_url, {"content": "## Hello", "csrfmiddlewaretoken": token}, **HTTPS
    )
    assert preview.status_code == 200
    assert "<h2" in preview.content.decode()
    assert_no_store(preview)
