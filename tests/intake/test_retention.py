"""The retention promise, kept by the task worker: what the privacy notice says is what
the purge job deletes, and requests left open are put in front of staff, not kept silently.

Every test fixes the clock: retention is counted in days from a moment.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from clinic_site.core import periodic
from clinic_site.intake import followup
from clinic_site.intake.models import AccessLog, ContactNote, ContactRequest, Outcome, Status
from tests.factories import make_contact_request, make_staff
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db

# A Monday morning in the clinic's winter (no daylight-saving change within 30 days).
START = datetime(2027, 1, 4, 14, 0, tzinfo=UTC)
PURGE_JOB = "intake.purge_contact_requests"
CHANGELIST = "/admin/intake/contactrequest/"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def retention(settings):
    settings.CONTACT_RETENTION_DAYS = 30
    return 30


def notice_days(client, path: str, pattern: str) -> int:
    page = client.get(path).content.decode()
    match = re.search(pattern, page)
    assert match, f"{path} states no retention period"
    return int(match.group(1))


def run_purge_job() -> list[str]:
    """What the task worker does between tasks: every job that is due, the purge among them."""
    return periodic.run_due()


def test_the_purge_is_a_periodic_job_of_the_task_worker():
    jobs = {job.name: job for job in periodic.registered()}

    assert PURGE_JOB in jobs
    # The notice counts in days: an hourly job keeps the promise to within the hour.
    assert jobs[PURGE_JOB].every <= timedelta(hours=1)


def test_the_job_deletes_closed_requests_when_the_notice_says_and_nothing_else(
    client, clock, retention
):
    days = notice_days(client, "/privacy/", r"(\d+) days after closing them")
    assert days == notice_days(client, "/es/privacy/", r"(\d+) días después de cerrarlas")
    assert days == retention

    closed_first = make_contact_request(status=Status.CLOSED)
    clock.shift(timedelta(minutes=90))
    closed_later = make_contact_request(status=Status.CLOSED)
    long_open = make_contact_request(status=Status.CONTACTED)
    author, _ = make_staff("desk")
    ContactNote.objects.create(contact_request=closed_first, author=author, body="Called back.")

    # One minute before the first closing is `days` old: nothing goes.
    clock.move_to(START + timedelta(days=days) - timedelta(minutes=1))
    assert PURGE_JOB in run_purge_job()
    assert ContactRequest.objects.count() == 3

    # An hour later (the job's next run): the first closed request has gone, with its
    # note; the one closed 90 minutes later goes at the run after; open ones stay.
    clock.shift(timedelta(hours=1))
    assert PURGE_JOB in run_purge_job()
    assert set(ContactRequest.objects.values_list("pk", flat=True)) == {
        closed_later.pk,
        long_open.pk,
    }
    assert not ContactNote.objects.exists()
    clock.shift(timedelta(hours=1))
    run_purge_job()
    assert list(ContactRequest.objects.values_list("pk", flat=True)) == [long_open.pk]
    deleted = AccessLog.objects.filter(action=AccessLog.Action.DELETED)
    assert sorted(deleted.values_list("request_number", flat=True)) == sorted(
        [closed_first.pk, closed_later.pk]
    )
    assert all(entry.actor is None for entry in deleted)


def test_the_notice_says_what_happens_to_requests_left_open(client, retention):
    english = client.get("/privacy/").content.decode()
    spanish = client.get("/es/privacy/").content.decode()

    assert "If a request stays open for 30 days with nothing done on it" in english
    assert "close it or keep it open for another 30 days" in english
    assert "Si una solicitud sigue abierta 30 días sin que hagamos nada con ella" in spanish
    assert "cerrarla o mantenerla abierta otros 30 días" in spanish


# --- Requests left open: close or keep ----------------------------------------------------


def as_desk(desk, method: str, url: str, data=None):
    """Staff sessions end after idle minutes, and these tests move the clock by weeks:
    each request logs in afresh at the clock's time."""
    force_login_verified(desk, desk.user)
    return getattr(desk, method)(url, data)


def act_a_month_on(desk, clock, contact_request, action: str, **fields):
    """The queue's ``action`` on ``contact_request``, chosen 31 days after it came in."""
    clock.move_to(START + timedelta(days=31))
    data = {"action": action, "_selected_action": [contact_request.pk], "index": 0, **fields}
    return as_desk(desk, "post", CHANGELIST, data)


def listed(response) -> list[int]:
    return [row.pk for row in response.context["cl"].result_list]


def test_requests_open_with_no_activity_past_the_period_are_listed_for_staff(
    front_desk, clock, retention
):
    stale = make_contact_request(status=Status.CONTACTED)
    stale_new = make_contact_request()
    noted = make_contact_request(status=Status.IN_PROGRESS)
    closed = make_contact_request(status=Status.CLOSED)
    clock.move_to(START + timedelta(days=20))
    followup.add_note(contact_request=noted, user=front_desk.user, body="Left a voicemail.")
    clock.move_to(START + timedelta(days=30, minutes=1))

    response = as_desk(front_desk, "get", CHANGELIST + "?attention=left_open")

    assert sorted(listed(response)) == sorted([stale.pk, stale_new.pk])
    assert closed.pk not in listed(response)
    page = as_desk(front_desk, "get", CHANGELIST).content.decode()
    assert "2 open requests have had nothing done on them for 30 days" in page
    assert "?attention=left_open" in page


def test_keep_for_another_period_takes_a_request_off_the_list_and_is_logged(
    front_desk, clock, retention
):
    stale = make_contact_request(status=Status.CONTACTED)

    act_a_month_on(front_desk, clock, stale, "keep_open")

    assert listed(as_desk(front_desk, "get", CHANGELIST + "?attention=left_open")) == []
    stale.refresh_from_db()
    assert stale.status == Status.CONTACTED
    assert AccessLog.objects.filter(
        request_number=stale.pk, action="changed", detail="Kept open for another 30 days"
    ).exists()
    # Another full period with nothing done, and it is listed again.
    clock.move_to(START + timedelta(days=62))
    assert listed(as_desk(front_desk, "get", CHANGELIST + "?attention=left_open")) == [stale.pk]


def test_keep_leaves_closed_requests_alone(front_desk, clock, retention):
    closed = make_contact_request(status=Status.CLOSED)

    act_a_month_on(front_desk, clock, closed, "keep_open")

    assert not AccessLog.objects.filter(action="changed").exists()
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED


def test_closing_a_listed_request_starts_its_retention_period(front_desk, clock, retention):
    stale = make_contact_request(status=Status.CONTACTED)

    act_a_month_on(front_desk, clock, stale, "close", outcome=Outcome.NOT_SUITABLE)

    assert listed(as_desk(front_desk, "get", CHANGELIST + "?attention=left_open")) == []
    clock.move_to(START + timedelta(days=61, minutes=1))
    run_purge_job()
    assert not ContactRequest.objects.exists()


def test_a_request_left_open_says_so_on_its_page_with_a_keep_button(front_desk, clock, retention):
    stale = make_contact_request(status=Status.CONTACTED)
    clock.move_to(START + timedelta(days=31))
    url = f"{CHANGELIST}{stale.pk}/change/"

    page = as_desk(front_desk, "get", url).content.decode()

    assert "Close or keep" in page
    assert "Nothing has been done on this request for 30 days" in page
    assert 'name="do" value="keep"' in page

    as_desk(front_desk, "post", f"{CHANGELIST}{stale.pk}/work/", {"do": "keep"})

    assert listed(as_desk(front_desk, "get", CHANGELIST + "?attention=left_open")) == []
    assert AccessLog.objects.filter(
        request_number=stale.pk, actor=front_desk.user, detail="Kept open for another 30 days"
    ).exists()
    assert "Close or keep" not in as_desk(front_desk, "get", url).content.decode()


def test_a_request_with_recent_activity_has_no_keep_button(front_desk, clock, retention):
    fresh = make_contact_request(status=Status.CONTACTED)
    clock.move_to(START + timedelta(days=29))

    page = as_desk(front_desk, "get", f"{CHANGELIST}{fresh.pk}/change/").content.decode()

    assert "Close or keep" not in page
    assert 'value="keep"' not in page
