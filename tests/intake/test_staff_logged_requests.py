"""A phone call or walk-in, logged by staff, joins the same queue, urgent check and figures."""

import pytest
from django.core import mail
from django.urls import reverse

from clinic_site.intake import consent
from clinic_site.intake.models import AccessLog, ContactRequest, Source
from tests.factories import form_data, logged_call_data, submit

pytestmark = pytest.mark.django_db

LOG = reverse("admin:intake_contactrequest_log")
CHANGELIST = reverse("admin:intake_contactrequest_changelist")


def test_front_desk_logs_a_phone_call_that_joins_the_queue(
    front_desk, django_capture_on_commit_callbacks, run_task_worker
):
    assert "Log a phone call or walk-in" in front_desk.get(CHANGELIST).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = front_desk.post(LOG, logged_call_data())
    run_task_worker()

    contact_request = ContactRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == contact_request.get_admin_url()
    assert contact_request.source == Source.PHONE
    assert contact_request.logged_by == front_desk.user
    assert contact_request.email == ""
    assert contact_request.preferred_language == "es"
    assert contact_request.consent_version == consent.STAFF_LOGGED_VERSION
    entry = AccessLog.objects.get(action=AccessLog.Action.CREATED)
    assert (entry.actor, entry.detail) == (front_desk.user, "Logged by staff: phone call")
    listing = front_desk.get(CHANGELIST).content.decode()
    assert "Maria Example" in listing and "(phone call)" in listing
    assert len(mail.outbox) == 1  # staff are told, as for the website form
    assert "Maria" not in mail.outbox[0].body


def test_a_logged_walk_in_with_urgent_words_is_urgent(front_desk):
    response = front_desk.post(
        LOG,
        logged_call_data(source="walk_in", message="Said they have been thinking about suicide"),
        follow=True,
    )

    contact_request = ContactRequest.objects.get()
    assert contact_request.urgent and contact_request.source == Source.WALK_IN
    assert ContactRequest.objects.open_urgent().get() == contact_request
    assert "It is urgent: follow the urgent procedure now." in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"source": None}, "Choose phone call or walk-in"),
        ({"consent": None}, "Ask them first"),
        ({"preferred_contact_method": "email"}, "Enter their email address, or choose phone"),
        ({"phone": ""}, "Enter a phone number, or choose email"),
    ],
)
def test_a_logged_request_is_checked_like_the_website_form(front_desk, fields, message):
    response = front_desk.post(LOG, logged_call_data(**fields))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ContactRequest.objects.exists()


def test_an_editor_cannot_log_requests(editor):
    assert editor.get(LOG).status_code == 403
    assert editor.post(LOG, logged_call_data()).status_code == 403
    assert not ContactRequest.objects.exists()


def test_the_website_still_needs_an_email_address(client):
    response = submit(client, form_data(email=""))

    assert response.status_code == 200
    assert not ContactRequest.objects.exists()
