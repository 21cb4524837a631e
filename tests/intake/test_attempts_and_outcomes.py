"""Tried, no answer; closing with an outcome; only reaching the person is a response."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from clinic_site.intake import followup
from clinic_site.intake.figures import weekly_requests
from clinic_site.intake.models import (
    AccessLog,
    AttemptChannel,
    ContactAttempt,
    ContactNote,
    ContactRequest,
    Outcome,
    Status,
)
from tests.factories import make_contact_request, make_staff

pytestmark = pytest.mark.django_db

# A Wednesday, 10:00 in New York (15:00 UTC): inside the default opening hours.
WEDNESDAY_10AM = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
CHANGELIST = reverse("admin:intake_contactrequest_changelist")


@pytest.fixture
def clock_hours(settings):
    settings.CLINIC_OPENING_HOURS = ""
    settings.CONTACT_FIRST_RESPONSE_HOURS = 8
    settings.CONTACT_RETRY_HOURS = 4


def work_url(contact_request) -> str:
    return reverse("admin:intake_contactrequest_work", args=[contact_request.pk])


def change_url(contact_request) -> str:
    return reverse("admin:intake_contactrequest_change", args=[contact_request.pk])


# --- The model and the follow-up functions ---------------------------------------------


@time_machine.travel(WEDNESDAY_10AM, tick=False)
def test_a_try_with_no_answer_keeps_the_request_open_and_sets_the_next_try(clock_hours):
    user, _ = make_staff("desk")
    contact_request = make_contact_request(created_at=WEDNESDAY_10AM - timedelta(hours=9))
    assert contact_request.is_overdue()

    followup.record_attempt(
        contact_request=contact_request, user=user, channel=AttemptChannel.VOICEMAIL
    )

    contact_request.refresh_from_db()
    assert contact_request.status == Status.IN_PROGRESS
    assert contact_request.first_response_at is None  # not a response
    assert contact_request.next_attempt_due_at == WEDNESDAY_10AM + timedelta(hours=4)
    assert not contact_request.is_overdue()
    assert not contact_request.next_attempt_is_due()
    assert ContactAttempt.objects.get().channel == AttemptChannel.VOICEMAIL
    assert AccessLog.objects.filter(detail="Tried: Phoned, left voicemail").count() == 1


@time_machine.travel(WEDNESDAY_10AM, tick=False)
def test_an_urgent_request_is_due_another_try_within_the_hour(clock_hours):
    user, _ = make_staff("desk")
    contact_request = make_contact_request(message="I want to end my life")

    followup.record_attempt(contact_request=contact_request, user=user, channel="phone")

    assert contact_request.next_attempt_due_at == WEDNESDAY_10AM + timedelta(hours=1)


def test_the_next_try_counts_opening_hours(settings):
    settings.CLINIC_OPENING_HOURS = "mon-fri 09:00-17:00"
    settings.CONTACT_RETRY_HOURS = 4
    user, _ = make_staff("desk")
    # Friday 15:00 in New York (20:00 UTC): two hours left today, two more on Monday,
    # 11:00 New York time, which is 15:00 UTC: summer time starts on the Sunday between.
    friday_3pm = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)
    with time_machine.travel(friday_3pm, tick=False):
        contact_request = make_contact_request()
        followup.record_attempt(contact_request=contact_request, user=user, channel="email")

    assert contact_request.next_attempt_due_at == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)


@time_machine.travel(WEDNESDAY_10AM, tick=False)
def test_a_request_whose_next_try_is_due_rises_with_the_overdue_ones(clock_hours):
    user, _ = make_staff("desk")
    tried = make_contact_request(created_at=WEDNESDAY_10AM - timedelta(days=2))
    fresh = make_contact_request(created_at=WEDNESDAY_10AM - timedelta(hours=1))
    followup.record_attempt(contact_request=tried, user=user, channel="phone")

    later = WEDNESDAY_10AM + timedelta(hours=4, minutes=1)
    assert list(ContactRequest.objects.in_queue_order(now=later)) == [tried, fresh]
    assert ContactRequest.objects.get(pk=tried.pk).next_attempt_is_due(now=later)
    assert list(ContactRequest.objects.in_queue_order(now=WEDNESDAY_10AM)) == [fresh, tried]


def test_a_try_on_a_contacted_or_closed_request_is_refused():
    user, _ = make_staff("desk")
    contact_request = make_contact_request(status=Status.CONTACTED)

    with pytest.raises(ValueError, match="already contacted or closed"):
        followup.record_attempt(contact_request=contact_request, user=user, channel="phone")
    assert ContactAttempt.objects.count() == 0


def test_an_unknown_channel_is_refused():
    user, _ = make_staff("desk")
    with pytest.raises(ValueError):
        followup.record_attempt(contact_request=make_contact_request(), user=user, channel="fax")
    assert ContactAttempt.objects.count() == 0


@pytest.mark.parametrize(
    ("outcome", "is_response"),
    [
        (Outcome.CONSULTATION_BOOKED, True),
        (Outcome.NOT_SUITABLE, True),
        (Outcome.REFERRED, True),
        (Outcome.NO_RESPONSE, False),
        (Outcome.DUPLICATE, False),
        (Outcome.NOT_A_PATIENT, False),
    ],
)
def test_only_an_outcome_that_needed_a_conversation_is_a_response(outcome, is_response):
    user, _ = make_staff("desk")
    contact_request = make_contact_request()

    followup.close(contact_request=contact_request, user=user, outcome=outcome)

    contact_request.refresh_from_db()
    assert contact_request.status == Status.CLOSED
    assert contact_request.outcome == outcome
    assert (contact_request.first_response_at is not None) is is_response


def test_closing_without_an_outcome_is_refused_and_changes_nothing():
    user, _ = make_staff("desk")
    contact_request = make_contact_request()

    with pytest.raises(ValueError, match="Choose an outcome"):
        followup.close(contact_request=contact_request, user=user, outcome="")
    with pytest.raises(ValueError):
        ContactRequest.objects.all().set_status(Status.CLOSED)

    assert ContactRequest.objects.get().status == Status.NEW


def test_no_response_says_how_many_tries_were_made():
    user, _ = make_staff("desk")
    contact_request = make_contact_request()
    for channel in ("phone", "voicemail", "email"):
        followup.record_attempt(contact_request=contact_request, user=user, channel=channel)

    followup.close(contact_request=contact_request, user=user, outcome=Outcome.NO_RESPONSE)

    assert contact_request.outcome_shown == "No response after 3 attempts"


def test_reopening_clears_the_outcome():
    user, _ = make_staff("desk")
    contact_request = make_contact_request()
    followup.close(contact_request=contact_request, user=user, outcome=Outcome.DUPLICATE)

    contact_request.status = Status.IN_PROGRESS
    contact_request.save()

    contact_request.refresh_from_db()
    assert contact_request.outcome == ""
    assert contact_request.closed_at is None


@time_machine.travel(WEDNESDAY_10AM, tick=False)
def test_tries_and_closing_without_contact_stay_out_of_the_response_figures(clock_hours):
    user, _ = make_staff("desk")
    tried = make_contact_request(created_at=WEDNESDAY_10AM - timedelta(hours=2))
    followup.record_attempt(contact_request=tried, user=user, channel="voicemail")
    duplicate = make_contact_request(created_at=WEDNESDAY_10AM - timedelta(hours=2))
    followup.close(contact_request=duplicate, user=user, outcome=Outcome.DUPLICATE)
    reached = make_contact_request(created_at=WEDNESDAY_10AM - timedelta(hours=2))
    followup.mark_contacted(contact_request=reached, user=user)

    this_week = weekly_requests(now=WEDNESDAY_10AM)[-1]

    assert this_week.received == 3
    assert this_week.responded == 1
    assert this_week.median_hours == 2


# --- The buttons on a request ---------------------------------------------------------------


@time_machine.travel(WEDNESDAY_10AM, tick=False)
def test_the_tried_buttons_record_the_try_with_the_note(front_desk, clock_hours):
    contact_request = make_contact_request(created_at=WEDNESDAY_10AM - timedelta(hours=9))
    page = front_desk.get(change_url(contact_request)).content.decode()
    assert "Tried, no answer" in page
    assert 'name="channel" value="voicemail"' in page

    response = front_desk.post(
        work_url(contact_request), {"channel": "voicemail", "note": "Left a message at 10."}
    )

    assert response.status_code == 302
    contact_request.refresh_from_db()
    assert contact_request.status == Status.IN_PROGRESS
    assert contact_request.first_response_at is None
    assert ContactNote.objects.get().body == "Left a message at 10."
    listing = front_desk.get(CHANGELIST).content.decode()
    assert "Tried; next try by 04 Mar 2026, 14:00" in listing
    assert "Overdue" not in listing.split("<tbody>")[1].split("</tbody>")[0]


def test_close_on_a_request_needs_an_outcome(front_desk):
    contact_request = make_contact_request()

    front_desk.post(work_url(contact_request), {"do": "close", "outcome": ""}, follow=True)
    contact_request.refresh_from_db()
    assert contact_request.status == Status.NEW

    response = front_desk.post(
        work_url(contact_request), {"do": "close", "outcome": "not_a_patient"}, follow=True
    )
    contact_request.refresh_from_db()
    assert contact_request.status == Status.CLOSED
    assert contact_request.outcome == Outcome.NOT_A_PATIENT
    assert "Closed: Not a patient" in response.content.decode()
    listing = front_desk.get(CHANGELIST).content.decode()
    assert "Closed: Not a patient (sales, spam, wrong number)" in listing
    assert "Responded" not in listing


# --- Two people at once -----------------------------------------------------------------


def test_a_try_recorded_on_a_page_opened_before_a_colleague_closed_it_changes_nothing():
    desk_a, _ = make_staff("a")
    desk_b, _ = make_staff("b")
    contact_request = make_contact_request()
    seen_by_a = ContactRequest.objects.get(pk=contact_request.pk)  # A's page, still New

    followup.close(contact_request=contact_request, user=desk_b, outcome=Outcome.REFERRED)
    with pytest.raises(ValueError, match="already contacted or closed"):
        followup.record_attempt(contact_request=seen_by_a, user=desk_a, channel="phone")

    current = ContactRequest.objects.get()
    assert (current.status, current.outcome) == (Status.CLOSED, Outcome.REFERRED)
    assert ContactAttempt.objects.count() == 0


def test_the_second_of_two_closings_is_refused_and_the_first_outcome_stands():
    desk_a, _ = make_staff("a")
    desk_b, _ = make_staff("b")
    contact_request = make_contact_request()
    seen_by_b = ContactRequest.objects.get(pk=contact_request.pk)

    followup.close(contact_request=contact_request, user=desk_a, outcome=Outcome.DUPLICATE)
    with pytest.raises(ValueError, match="Someone closed this request already"):
        followup.close(contact_request=seen_by_b, user=desk_b, outcome=Outcome.REFERRED)

    assert ContactRequest.objects.get().outcome == Outcome.DUPLICATE
    assert AccessLog.objects.filter(detail__startswith="Closed:").count() == 1
