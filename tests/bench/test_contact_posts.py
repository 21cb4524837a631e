"""The contact form POSTs the benchmark sends: the project's own form, as a browser
sends it, accepted and stored."""

import urllib.parse

import pytest
from django.test import Client

from bench.posts import csrf_cookie, with_csrf_token
from bench.site import COUNTER, contact_body
from clinic_site.intake.models import ContactRequest


def test_production_csrf_cookie_is_found_among_other_cookies():
    headers = [
        "__Host-sessionid=abc; Path=/; Secure; HttpOnly",
        "__Host-csrftoken=SECRET42; expires=Sat, 20 Nov 2027 00:00:00 GMT; Path=/; Secure",
    ]

    assert csrf_cookie(headers) == ("__Host-csrftoken", "SECRET42")
    assert csrf_cookie(["sessionid=abc; Path=/"]) is None


def test_each_request_gets_its_own_name_email_and_message_from_the_counter():
    body = contact_body()

    fields = urllib.parse.parse_qs(body)
    # wrk's post.lua replaces the marker in the encoded body: encoding must not touch it.
    assert COUNTER in fields["name"][0]
    assert fields["email"] == [f"bench-{COUNTER}@example.com"]
    assert COUNTER in fields["message"][0]
    assert body.count(COUNTER) == 3


@pytest.mark.django_db
def test_the_body_the_benchmark_posts_is_accepted_and_stored_by_the_real_contact_form():
    # The CSRF check on, as in production: the token comes from the page's cookie.
    client = Client(enforce_csrf_checks=True)
    page = client.get("/contact/")
    cookie = csrf_cookie([morsel.OutputString() for morsel in page.cookies.values()])
    assert cookie is not None
    body = with_csrf_token(contact_body(), cookie[1])

    response = client.post(
        "/contact/",
        body.replace(COUNTER, "7"),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 302, response.content.decode()[:500]
    stored = ContactRequest.objects.get()
    assert stored.email == "bench-7@example.com"
    assert "Load test 7" in stored.message


@pytest.mark.django_db
def test_a_post_without_the_pages_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    client.get("/contact/")

    response = client.post(
        "/contact/",
        contact_body().replace(COUNTER, "7"),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 403
    assert not ContactRequest.objects.exists()
