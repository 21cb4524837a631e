"""The front desk's workspace: urgent at a glance, the work at the top of a request."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic_site.accounts.roles import FRONT_DESK
from clinic_site.intake.models import AccessLog, ContactNote, ContactRequest, Status
from tests.factories import make_contact_request, make_staff
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:intake_contactrequest_changelist")
RISK_MESSAGE = "I keep thinking about suicide"
# Django's admin shows booleans as these icons; staff screens say Yes or No instead.
BOOLEAN_ICONS = ("icon-yes.svg", "icon-no.svg", "icon-unknown.svg")


def change_url(contact_request) -> str:
    return reverse("admin:intake_contactrequest_change", args=[contact_request.pk])


def work_url(contact_request) -> str:
    return reverse("admin:intake_contactrequest_work", args=[contact_request.pk])


def row_of(page: str, name: str) -> str:
    for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S):
        if name in row:
            return row
    raise AssertionError(f"no row for {name}")


# --- Urgent is unmistakable --------------------------------------------------------------


def test_the_queue_says_urgent_in_words_and_routine_requests_say_no(front_desk):
    make_contact_request(name="Urgent Person", message=RISK_MESSAGE)
    make_contact_request(name="Routine Person")

    page = front_desk.get(CHANGELIST).content.decode()

    urgent_row = row_of(page, "Urgent Person")
    assert 'class="staff-tag staff-tag--urgent">Urgent</strong>' in urgent_row
    assert ">No</td>" in row_of(page, "Routine Person")
    assert not any(icon in page for icon in BOOLEAN_ICONS)


def test_a_followed_up_urgent_request_still_says_urgent_but_is_not_highlighted(front_desk):
    make_contact_request(name="Done Person", message=RISK_MESSAGE, status=Status.CONTACTED)

    row = row_of(front_desk.get(CHANGELIST).content.decode(), "Done Person")

    assert "staff-tag--urgent-done" in row and ">Urgent<" in row


def test_an_urgent_request_opens_with_the_procedure_from_settings(front_desk, settings):
    settings.URGENT_PROCEDURE_TEXT = "Ring the person back within ten minutes."
    settings.URGENT_PROCEDURE_PHONES = ["On-call clinician: 555 010 0111", "Emergency: 911"]
    contact_request = make_contact_request(message=RISK_MESSAGE)

    page = front_desk.get(change_url(contact_request)).content.decode()

    box = page[page.index('class="staff-urgent-box"') :]
    assert "Ring the person back within ten minutes." in box
    assert 'On-call clinician: <a href="tel:5550100111">555 010 0111</a>' in box
    assert 'Emergency: <a href="tel:911">911</a>' in box
    assert page.index("staff-urgent-box") < page.index("Assign to me")


def test_the_urgent_procedure_has_a_sensible_default(front_desk):
    contact_request = make_contact_request(message=RISK_MESSAGE)

    page = front_desk.get(change_url(contact_request)).content.decode()

    assert "Call the person now" in page
    assert '<a href="tel:911">911</a>' in page and '<a href="tel:988">988</a>' in page


def test_a_routine_request_has_no_urgent_box(front_desk):
    page = front_desk.get(change_url(make_contact_request())).content.decode()

    assert "staff-urgent-box" not in page


def test_the_request_page_says_yes_and_no_in_words(front_desk):
    contact_request = make_contact_request(voicemail_ok=True)

    page = front_desk.get(change_url(contact_request)).content.decode()

    assert not any(icon in page for icon in BOOLEAN_ICONS)
    assert "Voicemail OK: Yes" in page


@pytest.mark.parametrize("where", ["index", "queue", "request", "password"])
def test_every_staff_page_shows_how_many_urgent_requests_are_open(front_desk, where):
    urgent = make_contact_request(message=RISK_MESSAGE)
    make_contact_request(message="I want to end my life")
    make_contact_request(message=RISK_MESSAGE, status=Status.CLOSED)
    url = {
        "index": reverse("admin:index"),
        "queue": CHANGELIST,
        "request": change_url(urgent),
        "password": reverse("admin:password_change"),
    }[where]

    page = front_desk.get(url).content.decode()

    assert "2 open urgent requests</a> waiting for a response." in page


def test_no_open_urgent_requests_is_said_too(front_desk):
    assert "No open urgent requests." in front_desk.get(reverse("admin:index")).content.decode()


def test_editors_see_no_urgent_count(editor):
    make_contact_request(message=RISK_MESSAGE)

    page = editor.get(reverse("admin:index")).content.decode()

    assert "urgent request" not in page.lower()


def test_the_urgent_count_is_not_shown_before_the_second_factor(client, roles):
    user, _ = make_staff("desk", groups=[FRONT_DESK])
    make_contact_request(message=RISK_MESSAGE)
    client.force_login(user)  # password only

    page = client.get(reverse("admin:login")).content.decode()

    assert "urgent request" not in page.lower()


def test_overdue_requests_say_so_in_words(front_desk, settings):
    settings.CLINIC_OPENING_HOURS = ""  # clock hours
    settings.CONTACT_FIRST_RESPONSE_HOURS = 24
    make_contact_request(name="Waiting Person", created_at=timezone.now() - timedelta(days=2))
    make_contact_request(name="Fresh Person")

    page = front_desk.get(CHANGELIST).content.decode()

    assert ">Overdue</strong>" in row_of(page, "Waiting Person")
    assert "Overdue" not in row_of(page, "Fresh Person")
    assert "Due by" in row_of(page, "Fresh Person")


# --- Search never hides the queue invisibly -------------------------------------------------


def test_an_active_search_is_announced_with_a_one_click_clear(front_desk):
    make_contact_request(name="Zoë O'Brien")
    make_contact_request(name="Someone Else")
    front_desk.post(CHANGELIST, {"private_search": "1", "q": "Zoë"})

    page = front_desk.get(CHANGELIST).content.decode()  # coming back to the list later

    assert "Search active:" in page
    assert "showing 1 of 2 requests, only those matching “Zoë”" in page
    assert 'name="clear"' in page and "Clear search and show all requests" in page


def test_a_search_that_hides_an_urgent_request_still_shows_the_urgent_count(front_desk):
    make_contact_request(name="Zoë O'Brien")
    make_contact_request(name="Urgent Person", message=RISK_MESSAGE)
    front_desk.post(CHANGELIST, {"private_search": "1", "q": "Zoë"})

    page = front_desk.get(CHANGELIST).content.decode()

    assert "Urgent Person" not in page
    assert "1 open urgent request</a>" in page


def test_the_urgent_count_links_to_the_open_urgent_requests_without_the_search(front_desk):
    make_contact_request(name="Zoë O'Brien")
    urgent = make_contact_request(name="Urgent Person", message=RISK_MESSAGE)
    make_contact_request(name="Old Urgent", message=RISK_MESSAGE, status=Status.CLOSED)
    front_desk.post(CHANGELIST, {"private_search": "1", "q": "Zoë"})

    response = front_desk.get(CHANGELIST + "?attention=urgent&clear_search=1", follow=True)

    assert [row.pk for row in response.context["cl"].result_list] == [urgent.pk]
    assert "Search active:" not in response.content.decode()


# --- The work at the top of a request -------------------------------------------------------


def test_the_work_buttons_come_before_the_record_and_the_access_log(front_desk):
    page = front_desk.get(change_url(make_contact_request())).content.decode()

    positions = [
        page.index(text)
        for text in ("Assign to me", "Add note", "Mark contacted", "What they sent", "Access log")
    ]
    assert positions == sorted(positions)


def test_assign_to_me_from_the_request(front_desk):
    contact_request = make_contact_request()

    response = front_desk.post(work_url(contact_request), {"do": "assign"})

    assert response.status_code == 302 and response["Location"] == change_url(contact_request)
    contact_request.refresh_from_db()
    assert contact_request.assigned_to == front_desk.user
    assert AccessLog.objects.filter(detail="Assigned to desk", actor=front_desk.user).count() == 1
    page = front_desk.get(change_url(contact_request)).content.decode()
    assert "Assigned to: <strong>you</strong>" in page
    assert 'value="assign"' not in page


def test_mark_contacted_with_a_note(front_desk):
    contact_request = make_contact_request()

    front_desk.post(
        work_url(contact_request), {"do": "contacted", "note": "Called; booked a visit."}
    )

    contact_request.refresh_from_db()
    assert contact_request.status == Status.CONTACTED
    assert contact_request.first_response_at is not None
    assert contact_request.notes.get().body == "Called; booked a visit."
    entry = AccessLog.objects.get(action=AccessLog.Action.CHANGED)
    assert entry.detail == "Status: Contacted; added a note"
    assert "booked" not in entry.detail  # a note's words never reach the log


def test_mark_contacted_without_a_note(front_desk):
    contact_request = make_contact_request()

    front_desk.post(work_url(contact_request), {"do": "contacted", "note": "  "})

    contact_request.refresh_from_db()
    assert contact_request.status == Status.CONTACTED
    assert not ContactNote.objects.exists()


def test_an_empty_note_is_refused_with_a_message(front_desk):
    contact_request = make_contact_request()

    response = front_desk.post(
        work_url(contact_request), {"do": "note", "note": " \n "}, follow=True
    )

    assert "Write the note first." in response.content.decode()
    assert not ContactNote.objects.exists()
    assert not AccessLog.objects.filter(action=AccessLog.Action.CHANGED).exists()


def test_notes_are_listed_newest_first_with_no_empty_note_forms(front_desk):
    contact_request = make_contact_request()
    now = timezone.now()
    for hours, body in ((3, "First call, no answer."), (1, "Second call, spoke to them.")):
        ContactNote.objects.create(
            contact_request=contact_request,
            author=front_desk.user,
            body=body,
            created_at=now - timedelta(hours=hours),
        )

    page = front_desk.get(change_url(contact_request)).content.decode()

    assert page.index("Second call") < page.index("First call")
    assert "notes-TOTAL_FORMS" not in page
    assert "notes-0-body" not in page
    author_links = re.findall(r'<a href="[^"]*/auth/user/[^"]*"', page)
    assert author_links == []  # no links to pages front desk cannot open


def test_the_work_buttons_need_a_post(front_desk):
    contact_request = make_contact_request()

    assert front_desk.get(work_url(contact_request)).status_code == 405


def test_someone_who_can_only_view_requests_cannot_use_the_work_buttons(client, roles):
    from django.contrib.auth.models import Permission

    user, _ = make_staff("viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_contactrequest"))
    force_login_verified(client, user)
    contact_request = make_contact_request()

    page = client.get(change_url(contact_request)).content.decode()
    response = client.post(work_url(contact_request), {"do": "assign"})

    assert "Assign to me" not in page
    assert response.status_code == 403
    assert ContactRequest.objects.get().assigned_to is None


def test_editors_cannot_use_the_work_buttons(editor):
    contact_request = make_contact_request()

    response = editor.post(work_url(contact_request), {"do": "note", "note": "hello"})

    assert response.status_code == 403
    assert not ContactNote.objects.exists()


# --- One date format -------------------------------------------------------------------------


def test_a_request_page_uses_one_date_format(front_desk, settings):
    settings.TIME_ZONE = "America/New_York"
    contact_request = make_contact_request()
    ContactNote.objects.create(contact_request=contact_request, author=front_desk.user, body="Hi.")
    front_desk.post(work_url(contact_request), {"do": "contacted"})

    page = front_desk.get(change_url(contact_request)).content.decode()

    staff_format = re.compile(r"\b\d{2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}\b")
    assert len(staff_format.findall(page)) >= 5  # received, due, response, note, log
    assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page)  # the old log format
    assert not re.search(r"[A-Z][a-z]{2}\. \d{1,2}, \d{4}", page)  # Django's "Nov. 30, 2026"


def test_assigned_to_has_no_links_to_user_pages_front_desk_cannot_open(front_desk):
    page = front_desk.get(change_url(make_contact_request())).content.decode()

    assert "related-widget-wrapper-link" not in page
    assert "/auth/user/" not in page
