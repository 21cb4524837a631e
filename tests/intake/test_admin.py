"""Staff follow-up in the admin: the queue, read-only submissions, notes, actions, the log."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic_site.intake.models import (
    AccessLog,
    ContactNote,
    ContactRequest,
    Interest,
    Outcome,
    Status,
)
from tests.factories import make_contact_request, make_staff

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:intake_contactrequest_changelist"


def changelist_url(**params) -> str:
    url = reverse(CHANGELIST)
    if params:
        url += "?" + urlencode(params)
    return url


def change_url(contact_request) -> str:
    return reverse("admin:intake_contactrequest_change", args=[contact_request.pk])


def listed(response) -> list[int]:
    return [row.pk for row in response.context["cl"].result_list]


def change_form(contact_request, **fields) -> dict:
    """The change form (status and assignee) as the browser posts it."""
    data = {
        "status": contact_request.status,
        "assigned_to": contact_request.assigned_to_id or "",
        "_save": "Save",
    }
    data.update(fields)
    return data


def work_url(contact_request) -> str:
    """Where the buttons at the top of a request post."""
    return reverse("admin:intake_contactrequest_work", args=[contact_request.pk])


# --- The list ------------------------------------------------------------------------------


def test_the_list_shows_the_columns_staff_work_from(front_desk):
    make_contact_request(name="Ana Pérez", interest=Interest.OCD)

    page = front_desk.get(changelist_url()).content.decode()

    columns = ("Urgent", "Received", "Name", "Interest", "Status", "First response", "Assignee")
    for column in (*columns, "Age"):
        assert f">{column}<" in page or f">{column}</a>" in page, column
    assert "Ana Pérez" in page
    assert "OCD" in page


def test_the_list_puts_urgent_requests_first_then_the_oldest_new(front_desk):
    now = timezone.now()
    old_new = make_contact_request(created_at=now - timedelta(days=4))
    recent_new = make_contact_request(created_at=now - timedelta(hours=2))
    urgent = make_contact_request(created_at=now, message="I want to kill myself")
    closed = make_contact_request(created_at=now - timedelta(days=30), status=Status.CLOSED)

    response = front_desk.get(changelist_url())

    assert listed(response) == [urgent.pk, old_new.pk, recent_new.pk, closed.pk]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": "closed"}, ["closed"]),
        ({"urgent__exact": "1"}, ["urgent"]),
        ({"interest__exact": "chronic_pain"}, ["pain"]),
        ({"assigned_to__id__exact": "DESK"}, ["mine"]),
    ],
)
def test_the_list_filters_by_status_urgency_interest_and_assignee(front_desk, params, expected):
    made = {
        "closed": make_contact_request(status=Status.CLOSED),
        "urgent": make_contact_request(message="thinking about suicide"),
        "pain": make_contact_request(interest=Interest.CHRONIC_PAIN),
        "mine": make_contact_request(assigned_to=front_desk.user),
    }
    params = {
        key: str(front_desk.user.pk) if value == "DESK" else value for key, value in params.items()
    }

    response = front_desk.get(changelist_url(**params))

    assert listed(response) == [made[name].pk for name in expected]


@pytest.mark.parametrize("query", ["Zoë", "zoe.brien@example", "555 010 0199"])
def test_the_list_searches_name_email_and_phone(front_desk, query):
    wanted = make_contact_request(
        name="Zoë O'Brien", email="zoe.brien@example.com", phone="555 010 0199"
    )
    make_contact_request(name="Someone Else", email="else@example.com", phone="555 010 0100")

    front_desk.post(changelist_url(), {"private_search": "1", "q": query})

    assert listed(front_desk.get(changelist_url())) == [wanted.pk]


def test_a_search_never_puts_the_patients_details_in_the_url(front_desk):
    make_contact_request(name="Zoë O'Brien")

    response = front_desk.post(
        changelist_url(status__exact="new"), {"private_search": "1", "q": "Zoë"}
    )

    assert response.status_code == 302
    assert "Zo" not in response["Location"]
    assert "status__exact=new" in response["Location"]
    page = front_desk.get(response["Location"]).content.decode()
    assert 'value="Zoë"' in page  # the box still shows what is being searched for


def test_a_search_term_typed_into_the_url_is_moved_out_of_it(front_desk):
    wanted = make_contact_request(name="Zoë O'Brien")
    make_contact_request(name="Someone Else")

    response = front_desk.get(changelist_url(q="Zoë", status__exact="new"))

    assert response.status_code == 302
    assert "q=" not in response["Location"] and "status__exact=new" in response["Location"]
    assert listed(front_desk.get(response["Location"])) == [wanted.pk]


def test_clearing_the_search_lists_everything_again(front_desk):
    make_contact_request(name="Zoë O'Brien")
    make_contact_request(name="Someone Else")
    front_desk.post(changelist_url(), {"private_search": "1", "q": "Zoë"})

    front_desk.post(changelist_url(), {"private_search": "1", "q": "Zoë", "clear": "Clear search"})

    assert len(listed(front_desk.get(changelist_url()))) == 2


def test_requests_cannot_be_added_in_the_admins_own_form(front_desk):
    # Calls and walk-ins have their own page (test_staff_logged_requests.py).
    assert front_desk.get(reverse("admin:intake_contactrequest_add")).status_code == 403
    assert (
        reverse("admin:intake_contactrequest_add")
        not in front_desk.get(changelist_url()).content.decode()
    )


# --- One request ------------------------------------------------------------------------------


def test_what_the_person_sent_is_shown_read_only(front_desk):
    contact_request = make_contact_request(name="Ana Pérez", message="Please call me.")

    page = front_desk.get(change_url(contact_request)).content.decode()

    assert "Ana Pérez" in page and "Please call me." in page
    for field in ("name", "email", "phone", "message", "interest", "best_time"):
        assert f'name="{field}"' not in page, field
    assert 'name="status"' in page and 'name="assigned_to"' in page


def test_posting_changes_to_what_the_person_sent_changes_nothing(front_desk):
    contact_request = make_contact_request(name="Ana Pérez", message="Original")

    front_desk.post(
        change_url(contact_request),
        change_form(contact_request, name="Changed", message="Changed", urgent="on"),
    )

    contact_request.refresh_from_db()
    assert contact_request.name == "Ana Pérez"
    assert contact_request.message == "Original"
    assert contact_request.urgent is False


def test_staff_change_status_and_assignee_and_the_change_is_logged(front_desk):
    contact_request = make_contact_request()

    response = front_desk.post(
        change_url(contact_request),
        change_form(contact_request, status=Status.IN_PROGRESS, assigned_to=front_desk.user.pk),
    )

    assert response.status_code == 302
    contact_request.refresh_from_db()
    assert contact_request.status == Status.IN_PROGRESS
    assert contact_request.assigned_to == front_desk.user
    # Taking it in hand is not a response: nobody has reached the person yet.
    assert contact_request.first_response_at is None
    entry = AccessLog.objects.get(action=AccessLog.Action.CHANGED)
    assert entry.actor == front_desk.user
    assert entry.request_number == contact_request.pk
    assert entry.detail == "Status: In progress; Assigned to desk"


def test_a_note_records_its_author_and_time_whatever_is_posted(front_desk):
    contact_request = make_contact_request()
    other, _ = make_staff("someone-else")

    front_desk.post(
        work_url(contact_request),
        {
            "do": "note",
            "note": "Left a voicemail.",
            "author": other.pk,
            "created_at": "2000-01-01 00:00",
        },
    )

    note = ContactNote.objects.get()
    assert note.body == "Left a voicemail."
    assert note.author == front_desk.user
    assert abs(note.created_at - timezone.now()) < timedelta(minutes=1)
    assert AccessLog.objects.filter(action=AccessLog.Action.CHANGED, detail="Added a note").exists()


def test_saved_notes_show_read_only(front_desk):
    contact_request = make_contact_request()
    ContactNote.objects.create(
        contact_request=contact_request, author=front_desk.user, body="Called."
    )

    page = front_desk.get(change_url(contact_request)).content.decode()

    assert "Called." in page
    assert "Called.</textarea>" not in page


def test_opening_a_request_is_logged_and_the_log_is_shown_on_it(front_desk):
    contact_request = make_contact_request()

    page = front_desk.get(change_url(contact_request)).content.decode()

    entry = AccessLog.objects.get(action=AccessLog.Action.VIEWED)
    assert (entry.actor, entry.request_number) == (front_desk.user, contact_request.pk)
    log = page[page.index("<th>When</th>") :]
    assert "<td>desk</td><td>Viewed</td>" in log  # this very visit


def test_an_urgent_request_says_so_at_the_top(front_desk):
    contact_request = make_contact_request(message="I have been self-harming")

    page = front_desk.get(change_url(contact_request)).content.decode()

    assert "The message suggests a risk of suicide or self-harm" in page
    assert page.index("staff-urgent-box") < page.index('id="contactrequest_form"')


# --- Bulk actions --------------------------------------------------------------------------


def run_action(client, action, requests):
    return client.post(
        changelist_url(),
        {"action": action, "_selected_action": [r.pk for r in requests], "index": 0},
    )


def test_assign_to_me(front_desk):
    requests = [make_contact_request(), make_contact_request()]

    run_action(front_desk, "assign_to_me", requests)

    assert all(r.assigned_to == front_desk.user for r in ContactRequest.objects.all())
    assert AccessLog.objects.filter(action="changed", detail="Assigned to desk").count() == 2


def test_mark_contacted_records_the_first_response(front_desk):
    requests = [make_contact_request(), make_contact_request()]

    run_action(front_desk, "mark_contacted", requests)

    for contact_request in ContactRequest.objects.all():
        assert contact_request.status == Status.CONTACTED
        assert contact_request.first_response_at is not None
    assert AccessLog.objects.filter(action="changed", detail="Status: Contacted").count() == 2


def test_close_asks_for_the_outcome_before_closing_anything(front_desk):
    contact_request = make_contact_request(status=Status.CONTACTED)

    response = run_action(front_desk, "close", [contact_request])

    assert response.status_code == 200
    page = response.content.decode()
    assert "What was the outcome?" in page
    assert "Consultation booked" in page and "Duplicate of another request" in page
    contact_request.refresh_from_db()
    assert contact_request.status == Status.CONTACTED


def test_close_with_an_outcome_closes_and_logs_it(front_desk):
    requests = [make_contact_request(status=Status.CONTACTED), make_contact_request()]

    response = front_desk.post(
        changelist_url(),
        {
            "action": "close",
            "_selected_action": [r.pk for r in requests],
            "outcome": Outcome.CONSULTATION_BOOKED,
        },
    )

    assert response.status_code == 302
    for contact_request in ContactRequest.objects.all():
        assert contact_request.status == Status.CLOSED
        assert contact_request.outcome == Outcome.CONSULTATION_BOOKED
        assert contact_request.closed_at is not None
    assert AccessLog.objects.filter(detail="Closed: Consultation booked").count() == 2


def test_closing_in_the_status_form_without_an_outcome_is_refused_with_a_message(front_desk):
    contact_request = make_contact_request()

    response = front_desk.post(
        change_url(contact_request), change_form(contact_request, status="closed")
    )

    assert response.status_code == 200
    assert "Choose an outcome to close this request." in response.content.decode()
    contact_request.refresh_from_db()
    assert contact_request.status == Status.NEW


# --- The access log itself ----------------------------------------------------------------------


def test_nobody_can_edit_or_delete_the_access_log_in_the_admin(admin_client_with_otp):
    client = admin_client_with_otp
    contact_request = make_contact_request()
    (entry,) = AccessLog.objects.record([contact_request], AccessLog.Action.VIEWED)
    entry = AccessLog.objects.get()
    url = reverse("admin:intake_accesslog_change", args=[entry.pk])

    assert client.get(reverse("admin:intake_accesslog_changelist")).status_code == 200
    assert client.get(reverse("admin:intake_accesslog_add")).status_code == 403
    assert client.post(url, {"detail": "tampered", "action": "viewed"}).status_code == 403
    delete = reverse("admin:intake_accesslog_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AccessLog.objects.get().detail == ""


def test_a_superuser_deleting_a_request_is_logged(admin_client_with_otp):
    contact_request = make_contact_request()
    number = contact_request.pk

    admin_client_with_otp.post(
        reverse("admin:intake_contactrequest_delete", args=[number]), {"post": "yes"}
    )

    assert not ContactRequest.objects.exists()
    entry = AccessLog.objects.get(action=AccessLog.Action.DELETED)
    assert (entry.request_number, entry.actor) == (number, admin_client_with_otp.user)
