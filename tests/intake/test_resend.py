"""The same form sent twice is one request only when it says the same thing.

The first send is stored, the answer is lost on the way back, and the person goes back,
adds to their message and sends the same page again (the same one-time token). Their
new words must be stored, checked for urgency and answered on their own.
"""

import re

import pytest

from clinic_site.intake.models import ContactRequest
from tests.factories import CONTACT_URL, form_data, make_staff, submit
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db


def form_token(client) -> str:
    page = client.get(CONTACT_URL).content.decode()
    return re.search(r'name="submission_token" value="([^"]+)"', page).group(1)


def send_and_read_thanks(client, data):
    response = submit(client, data)
    assert response.status_code == 302
    return client.get(response["Location"])


def test_a_resend_with_new_urgent_words_is_stored_flagged_and_answered_with_the_crisis_box(
    client,
):
    token = form_token(client)
    first = send_and_read_thanks(
        client, form_data(submission_token=token, message="Question about cost.")
    )
    second = send_and_read_thanks(
        client, form_data(submission_token=token, message="I want to kill myself")
    )

    assert b"crisis-box" not in first.content
    assert ContactRequest.objects.count() == 2
    original, addition = ContactRequest.objects.order_by("pk")
    assert original.message == "Question about cost."
    assert not original.urgent
    assert addition.message == "I want to kill myself"
    assert addition.urgent
    assert addition.addition_to == original
    # Its own answer: the crisis box, which the first thank-you did not have.
    assert first.content != second.content
    assert b"kill myself" not in second.content  # the words are never echoed back
    assert b"crisis-box" in second.content


def test_a_resend_with_the_same_words_returns_the_first_thank_you(client):
    token = form_token(client)
    data = form_data(submission_token=token, message="Question about cost.")

    first = send_and_read_thanks(client, data)
    second = send_and_read_thanks(client, data)

    assert ContactRequest.objects.count() == 1
    assert first.content == second.content


def test_the_same_addition_sent_twice_is_stored_once(client):
    token = form_token(client)
    send_and_read_thanks(client, form_data(submission_token=token, message="First words."))
    changed = form_data(submission_token=token, message="First words. And more.")
    send_and_read_thanks(client, changed)
    send_and_read_thanks(client, changed)

    assert ContactRequest.objects.count() == 2


def test_a_third_version_is_another_addition_to_the_first_request(client):
    token = form_token(client)
    for message in ["One.", "One. Two.", "One. Two. Three."]:
        send_and_read_thanks(client, form_data(submission_token=token, message=message))

    original, *additions = ContactRequest.objects.order_by("pk")
    assert [a.message for a in additions] == ["One. Two.", "One. Two. Three."]
    assert all(a.addition_to == original for a in additions)


def test_a_resend_with_only_a_new_phone_number_is_kept_too(client):
    token = form_token(client)
    send_and_read_thanks(client, form_data(submission_token=token))
    send_and_read_thanks(client, form_data(submission_token=token, phone="555-010-0199"))

    assert ContactRequest.objects.count() == 2
    assert ContactRequest.objects.order_by("pk").last().phone == "555-010-0199"


def test_staff_see_an_addition_as_such_on_both_requests(client, roles):
    token = form_token(client)
    send_and_read_thanks(client, form_data(submission_token=token, message="Question."))
    send_and_read_thanks(client, form_data(submission_token=token, message="Question, again."))
    original, addition = ContactRequest.objects.order_by("pk")
    staff, _ = make_staff("frontdesk", groups=["Front desk"])
    force_login_verified(client, staff)

    addition_page = client.get(addition.get_admin_url()).content.decode()
    original_page = client.get(original.get_admin_url()).content.decode()

    assert f"an addition to request #{original.pk}" in words(addition_page)
    assert f'href="{original.get_admin_url()}"' in addition_page
    assert f"Sent again later with different words: request #{addition.pk}" in words(original_page)
    assert f'href="{addition.get_admin_url()}"' in original_page


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())
