"""The contact form: what it shows, what it accepts, and how it answers bad input."""

import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils.html import escape

from clinic_site.intake import consent
from clinic_site.intake.models import ContactRequest
from tests.factories import CONTACT_URL, FORM_TYPE, THANKS_URL, form_data, submit

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    return response.content.decode()


def input_tag(page: str, name: str) -> str:
    match = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', page)
    assert match, f"no input named {name}"
    return match.group(0)


# --- What the page shows -----------------------------------------------------------------


def test_contact_page_says_it_is_not_monitored_and_shows_urgent_help(client, settings):
    page = html_of(client.get(CONTACT_URL))

    assert "This form is not monitored around the clock" in page
    assert escape(settings.URGENT_HELP_TEXT) in page
    assert f'href="tel:{settings.URGENT_HELP_PHONE}"' in page
    assert f'href="tel:{settings.EMERGENCY_PHONE}"' in page


def test_form_works_without_javascript_and_is_csrf_protected(client):
    page = html_of(client.get(CONTACT_URL))

    assert "<script" not in page
    assert 'method="post"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_page_has_no_inline_style_or_script_for_the_strict_csp(client):
    page = html_of(client.get(CONTACT_URL))

    assert " style=" not in page
    assert "<style" not in page
    assert not re.search(r"\son[a-z]+=", page)  # no onclick= and friends


def test_fields_have_the_right_types_and_autocomplete(client):
    page = html_of(client.get(CONTACT_URL))

    name = input_tag(page, "name")
    assert 'type="text"' in name and 'autocomplete="name"' in name
    email = input_tag(page, "email")
    assert 'type="email"' in email and 'autocomplete="email"' in email
    phone = input_tag(page, "phone")
    assert 'type="tel"' in phone and 'autocomplete="tel"' in phone
    message = input_tag(page, "message")
    assert 'maxlength="2000"' in message


def test_each_field_has_a_label_and_hints_are_linked(client):
    page = html_of(client.get(CONTACT_URL))

    for field in ("name", "email", "phone", "voicemail_ok", "best_time", "message", "consent"):
        assert f'<label for="id_{field}">' in page, field
    assert 'id="id_message_helptext"' in page
    assert 'aria-describedby="id_message_helptext"' in input_tag(page, "message")
    assert "do not include detailed medical history" in page


def test_radio_questions_are_fieldsets_with_legends(client):
    page = html_of(client.get(CONTACT_URL))

    for legend in ("How would you like us to contact you?", "What would you like to talk"):
        assert re.search(rf"<fieldset[^>]*>\s*<legend>{legend}", page), legend
    for label in ("Depression", "Anxiety", "PTSD", "OCD", "Chronic pain", "Something else"):
        assert f">{label}</label>" in page
    assert "prefer not to say" in page


def test_consent_shows_the_current_text_and_links_to_the_privacy_notice(client):
    page = html_of(client.get(CONTACT_URL))

    assert consent.current_text() in page
    consent_block = page[page.index('name="consent"') :]
    assert 'href="/privacy/"' in consent_block[:1500]


def test_honeypot_is_hidden_from_people_and_assistive_technology(client):
    page = html_of(client.get(CONTACT_URL))

    trap = re.search(r'<div class="hp-field" aria-hidden="true">(.*?)</div>', page, re.S)
    assert trap, "honeypot wrapper missing"
    tag = input_tag(trap.group(1), "website")
    assert 'tabindex="-1"' in tag and 'autocomplete="off"' in tag


def test_contact_pages_are_never_cached(client):
    for response in (client.get(CONTACT_URL), submit(client, {}), client.get(THANKS_URL)):
        assert "no-store" in response["Cache-Control"]


# --- A good submission ---------------------------------------------------------------------


def test_valid_request_is_stored_and_redirects_to_the_thank_you_page(client):
    response = submit(client)

    assert response.status_code == 302
    assert response["Location"] == THANKS_URL
    stored = ContactRequest.objects.get()
    assert stored.name == "Ana Lucía Pérez"
    assert stored.email == "ana.perez@example.com"
    assert stored.phone == "+1 (555) 010-0147"
    assert stored.preferred_contact_method == "phone"
    assert stored.voicemail_ok is True
    assert stored.best_time == "Weekday mornings"
    assert stored.interest == "ptsd"
    assert stored.status == "new"
    assert stored.urgent is False


def test_consent_version_and_time_are_recorded(client):
    submit(client)

    stored = ContactRequest.objects.get()
    assert stored.consent_version == consent.CURRENT_VERSION
    assert stored.consented_at is not None


def test_redirect_carries_no_personal_data(client):
    response = submit(client)

    location = response["Location"]
    assert "?" not in location
    for value in ("Ana", "ana.perez", "555", "ptsd"):
        assert value not in location


def test_thank_you_page_says_what_happens_next(client, settings):
    submit(client)
    page = html_of(client.get(THANKS_URL))

    assert "What happens next" in page
    assert settings.CLINIC_HOURS in page
    assert f'href="tel:{settings.CLINIC_PHONE.replace(" ", "")}"' in page
    assert "Ana" not in page  # nothing the person typed is echoed back


def test_phone_is_optional_when_email_is_preferred(client):
    response = submit(
        client,
        form_data(phone="", voicemail_ok=None, best_time="", preferred_contact_method="email"),
    )

    assert response.status_code == 302
    assert ContactRequest.objects.get().phone == ""


def test_voicemail_permission_is_dropped_without_a_phone_number(client):
    submit(client, form_data(phone="", preferred_contact_method="email", voicemail_ok="on"))

    assert ContactRequest.objects.get().voicemail_ok is False


def test_message_keeps_its_line_breaks(client):
    submit(client, form_data(message="First line.\r\nSecond line.\tTabbed."))

    assert ContactRequest.objects.get().message == "First line.\nSecond line.\tTabbed."


@pytest.mark.parametrize(
    "name",
    [
        "José Álvarez-Núñez",
        "Zoë O'Brien",
        "Nguyễn Thị Minh Khai",
        "王秀英",
        "Мария Иванова",
        "محمد عبد الله",
        "שרה כהן",
        "स्वाति शर्मा",
        "Jose\u0301 (decomposed accent)",
        "Siobhán Ní Bhriain",
    ],
)
def test_unicode_names_are_accepted_and_stored_exactly(client, name):
    response = submit(client, form_data(name=name))

    assert response.status_code == 302
    assert ContactRequest.objects.get().name == name


# --- Errors --------------------------------------------------------------------------------


def test_missing_fields_are_listed_at_the_top_and_next_to_each_field(client):
    response = submit(client, {})
    page = html_of(response)

    assert response.status_code == 200
    assert ContactRequest.objects.count() == 0
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', page, re.S).group(0)
    assert "There is a problem" in summary
    for anchor, message in [
        ("#id_name", "Enter your name"),
        ("#id_email", "Enter your email address"),
        ("#id_preferred_contact_method_0", "Select how you would like us to contact you"),
        ("#id_interest_0", "Select what you would like to talk about"),
        ("#id_message", "Enter a short message"),
        ("#id_consent", "Tick the box to agree"),
    ]:
        assert f'href="{anchor}"' in summary, anchor
        assert message in summary, message
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: Contact the clinic" in page


def test_an_invalid_field_is_marked_and_points_at_its_error(client):
    page = html_of(submit(client, form_data(email="not-an-address")))

    email = input_tag(page, "email")
    assert 'aria-invalid="true"' in email
    assert "id_email_error" in email  # aria-describedby
    assert 'id="id_email_error"' in page
    assert "Enter an email address in the correct format" in page
    assert 'class="field field--error"' in page


def test_radio_errors_are_described_on_the_fieldset(client):
    page = html_of(submit(client, form_data(interest=None)))

    assert re.search(r'<fieldset aria-describedby="id_interest_error">', page)
    assert 'id="id_interest_error"' in page


def test_entered_values_are_kept_when_there_is_an_error(client):
    data = form_data(email="wrong", name="Zoë O'Brien", message="Line one\nLine two")
    page = html_of(submit(client, data))

    assert 'value="Zoë O&#x27;Brien"' in input_tag(page, "name")
    assert 'value="wrong"' in input_tag(page, "email")
    assert re.search(r'<input[^>]*value="ptsd"[^>]*checked', page)
    assert "Line one\nLine two</textarea>" in page
    assert re.search(r'<input[^>]*name="consent"[^>]*checked', page)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "ana@", "Enter an email address in the correct format"),
        ("email", "a" * 250 + "@example.com", "254 characters or fewer"),
        ("phone", "call me maybe", "using only digits, spaces"),
        ("phone", "12345", "7 to 15 digits"),
        ("phone", "+1 555 010 0147 0000 0000", "7 to 15 digits"),
        ("phone", "\u0665\u0665\u0665\u0660\u0661\u0660\u0661\u0664\u0667", "using only digits"),
        ("name", "N" * 101, "Your name must be 100 characters or fewer (you entered 101)"),
        ("best_time", "x" * 101, "100 characters or fewer"),
        ("message", "m" * 2001, "Your message must be 2000 characters or fewer (you entered 2001)"),
        ("preferred_contact_method", "fax", "Select how you would like us to contact you"),
        ("interest", "gambling", "Select one of the options"),
    ],
)
def test_invalid_values_get_a_clear_message(client, field, value, message):
    response = submit(client, form_data(**{field: value}))

    assert response.status_code == 200
    assert message in html_of(response)
    assert ContactRequest.objects.count() == 0


def test_phone_is_required_when_a_call_is_preferred(client):
    page = html_of(submit(client, form_data(phone="", preferred_contact_method="phone")))

    assert "Enter a phone number, or choose email as the way we contact you" in page
    assert ContactRequest.objects.count() == 0


def test_a_2000_character_message_with_browser_line_breaks_fits(client):
    message = ("x" * 99 + "\r\n") * 20  # 2,000 characters once \r\n counts as one

    assert submit(client, form_data(message=message.rstrip())).status_code == 302


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Ana\x00Pérez"),
        ("name", "Ana\nPérez"),
        ("name", "Ana\x1b[31mPérez"),
        ("name", "Ana\u202ezeréP"),  # right-to-left override
        ("email", "ana\x00@example.com"),
        ("phone", "555\x00 010 0147"),
        ("best_time", "mornings\x07"),
        ("message", "Hello\x00there"),
        ("message", "Hello\x08there"),
    ],
)
def test_control_characters_and_nul_bytes_are_refused_clearly(client, field, value):
    response = submit(client, form_data(**{field: value}))

    assert response.status_code == 200
    assert "contains characters we cannot accept" in html_of(response)
    assert ContactRequest.objects.count() == 0


# --- Requests that are not the form at all ------------------------------------------------


def test_an_oversized_body_gets_a_clear_413_and_nothing_is_stored(client):
    response = submit(client, form_data(message="x" * 300_000))

    assert response.status_code == 413
    assert "too large" in html_of(response)
    assert ContactRequest.objects.count() == 0


def test_a_body_just_over_the_form_limit_is_refused_before_parsing(client):
    response = submit(client, form_data(message="x" * 70_000))

    assert response.status_code == 413


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/xml", ""])
def test_a_wrong_content_type_gets_a_clear_415(client, content_type):
    response = client.post(CONTACT_URL, '{"name": "Ana"}', content_type=content_type)

    assert response.status_code == 415
    assert "We could not read what you sent" in html_of(response)
    assert ContactRequest.objects.count() == 0


def test_too_many_fields_get_a_clear_400(client):
    data = [(f"field{n}", "x") for n in range(150)]

    response = client.post(CONTACT_URL, urlencode(data), content_type=FORM_TYPE)

    assert response.status_code == 400
    assert "We could not read what you sent" in html_of(response)


def test_a_multipart_body_without_a_boundary_gets_a_clear_400(client):
    response = client.post(CONTACT_URL, b"--x\r\nnot a part", content_type="multipart/form-data")

    assert response.status_code == 400
    assert "We could not read what you sent" in html_of(response)


def test_a_multipart_body_with_no_readable_parts_is_an_empty_form(client):
    response = client.post(
        CONTACT_URL, b"--x\r\nnot a part", content_type="multipart/form-data; boundary=x"
    )

    assert response.status_code == 200
    assert "Enter your name" in html_of(response)
    assert ContactRequest.objects.count() == 0


def test_a_multipart_submission_from_an_older_client_is_accepted(client):
    response = client.post(CONTACT_URL, form_data())  # the test client sends multipart

    assert response.status_code == 302
    assert ContactRequest.objects.count() == 1


def test_bytes_that_are_not_utf8_are_refused_rather_than_stored_garbled(client):
    body = urlencode(form_data()).encode() + b"&name=Ana%FF%FE"

    response = client.post(CONTACT_URL, body, content_type=FORM_TYPE)

    assert response.status_code == 200
    assert "Your name contains characters we cannot accept" in html_of(response)
    assert ContactRequest.objects.count() == 0


def test_other_methods_are_refused(client):
    assert client.put(CONTACT_URL, "x", content_type=FORM_TYPE).status_code == 405
    assert client.post(THANKS_URL).status_code == 405


def test_a_post_without_the_csrf_token_is_refused_and_not_stored():
    client = Client(enforce_csrf_checks=True)

    response = submit(client)

    assert response.status_code == 403
    assert ContactRequest.objects.count() == 0


def test_a_post_with_the_csrf_token_from_the_page_is_accepted():
    client = Client(enforce_csrf_checks=True)
    page = html_of(client.get(CONTACT_URL))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = submit(client, form_data(csrfmiddlewaretoken=token))

    assert response.status_code == 302
    assert ContactRequest.objects.count() == 1
