"""The first-response target: when a request becomes "Overdue", and where it sits in the queue.

Most tests count clock hours (CLINIC_OPENING_HOURS empty); the last ones count the
clinic's opening hours, with dates chosen by hand.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from clinic_site.intake.models import ContactRequest, Status
from tests.factories import make_contact_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(settings):
    settings.CLINIC_OPENING_HOURS = ""  # clock hours
    settings.CONTACT_FIRST_RESPONSE_HOURS = 8
    return timedelta(hours=8)


def test_the_response_is_due_the_target_hours_after_the_request_arrived(target):
    received = timezone.now() - timedelta(days=2)
    contact_request = make_contact_request(created_at=received)

    assert contact_request.response_due_at == received + target


@pytest.mark.parametrize(
    ("waited", "overdue"),
    [
        (timedelta(hours=7, minutes=59), False),
        (timedelta(hours=8), False),  # due *by* then: not yet late
        (timedelta(hours=8, seconds=1), True),
        (timedelta(days=3), True),
    ],
)
def test_a_new_request_is_overdue_only_once_the_target_has_passed(target, waited, overdue):
    now = timezone.now()
    contact_request = make_contact_request(created_at=now - waited)

    assert contact_request.is_overdue(now=now) is overdue
    assert ContactRequest.objects.overdue(now=now).filter(pk=contact_request.pk).exists() is overdue


@pytest.mark.parametrize("status", [Status.IN_PROGRESS, Status.CONTACTED, Status.CLOSED])
def test_a_request_that_has_had_its_first_response_is_never_overdue(target, status):
    now = timezone.now()
    contact_request = make_contact_request(created_at=now - timedelta(days=5), status=status)

    assert contact_request.is_overdue(now=now) is False
    assert not ContactRequest.objects.overdue(now=now).exists()


def test_the_target_comes_from_the_setting(settings):
    settings.CLINIC_OPENING_HOURS = ""
    now = timezone.now()
    contact_request = make_contact_request(created_at=now - timedelta(hours=3))

    settings.CONTACT_FIRST_RESPONSE_HOURS = 2
    assert contact_request.is_overdue(now=now)
    settings.CONTACT_FIRST_RESPONSE_HOURS = 4
    assert not contact_request.is_overdue(now=now)


def test_overdue_requests_come_right_after_urgent_ones_in_the_queue(target):
    now = timezone.now()
    fresh = make_contact_request(created_at=now - timedelta(hours=1))
    overdue_recent = make_contact_request(created_at=now - timedelta(hours=9))
    overdue_oldest = make_contact_request(created_at=now - timedelta(days=2))
    urgent = make_contact_request(created_at=now, message="I want to kill myself")
    in_progress = make_contact_request(
        created_at=now - timedelta(days=3), status=Status.IN_PROGRESS
    )

    order = [r.pk for r in ContactRequest.objects.in_queue_order(now=now)]

    assert order == [urgent.pk, overdue_oldest.pk, overdue_recent.pk, fresh.pk, in_progress.pk]


# --- Counted in opening hours ---------------------------------------------------------------

NEW_YORK = ZoneInfo("America/New_York")


def clinic_time(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the week of Monday 7 December 2026, clinic time."""
    return datetime(2026, 12, day, hour, minute, tzinfo=NEW_YORK)


@pytest.fixture
def office_hours(settings):
    settings.TIME_ZONE = "America/New_York"
    settings.CLINIC_OPENING_HOURS = "mon-fri 09:00-17:00"
    settings.CONTACT_FIRST_RESPONSE_HOURS = 8


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (clinic_time(7, 9), clinic_time(7, 17)),  # Monday 9:00: end of that day
        (clinic_time(7, 13), clinic_time(8, 13)),  # Monday 13:00: Tuesday 13:00
        (clinic_time(7, 7, 30), clinic_time(7, 17)),  # before opening: counts from 9:00
        (clinic_time(7, 20), clinic_time(8, 17)),  # after closing: the next day's hours
        (clinic_time(11, 16), clinic_time(14, 16)),  # Friday 16:00: 1 h Friday, 7 h Monday
        (clinic_time(12, 11), clinic_time(14, 17)),  # Saturday: Monday's hours
    ],
)
def test_the_response_is_due_after_the_target_in_opening_hours(office_hours, received, due):
    contact_request = make_contact_request(created_at=received)

    assert contact_request.response_due_at == due


@pytest.mark.parametrize(
    ("now", "overdue"),
    [
        (clinic_time(11, 23), False),  # Friday night: one hour of the target used
        (clinic_time(13, 12), False),  # Sunday: the weekend does not count
        (clinic_time(14, 15, 59), False),
        (clinic_time(14, 16, 1), True),  # Monday just after 16:00
    ],
)
def test_a_friday_afternoon_request_is_not_overdue_over_the_weekend(office_hours, now, overdue):
    contact_request = make_contact_request(created_at=clinic_time(11, 16))

    assert contact_request.is_overdue(now=now) is overdue
    listed = ContactRequest.objects.overdue(now=now).filter(pk=contact_request.pk).exists()
    assert listed is overdue


def test_opening_hours_work_the_same_from_utc_times(office_hours):
    received = datetime(2026, 12, 11, 21, 0, tzinfo=UTC)  # Friday 16:00 in New York

    assert make_contact_request(created_at=received).response_due_at == clinic_time(14, 16)


@pytest.mark.parametrize(
    ("spec", "days", "opens", "closes"),
    [
        ("mon-fri 09:00-17:00", {0, 1, 2, 3, 4}, "09:00", "17:00"),
        ("mon,wed,fri 8:30-12:00", {0, 2, 4}, "08:30", "12:00"),
        ("fri-mon 10:00-14:00", {4, 5, 6, 0}, "10:00", "14:00"),
        ("Mon-Sat 09:00-13:00", {0, 1, 2, 3, 4, 5}, "09:00", "13:00"),
    ],
)
def test_opening_hours_are_read_from_plain_words(spec, days, opens, closes):
    from clinic_site.intake.opening_hours import OpeningHours

    hours = OpeningHours.parse(spec)

    assert hours.days == days
    assert (hours.opens.isoformat("minutes"), hours.closes.isoformat("minutes")) == (opens, closes)


@pytest.mark.parametrize("spec", ["weekdays 9-5", "mon-fri 17:00-09:00", "mon-fry 09:00-17:00"])
def test_opening_hours_that_make_no_sense_are_refused(spec):
    from clinic_site.intake.opening_hours import OpeningHours

    with pytest.raises(ValueError):
        OpeningHours.parse(spec)


def test_unreadable_opening_hours_stop_startup_and_name_the_variable():
    from tests.core.production import manage, production_env

    result = manage("check", env=production_env(CLINIC_OPENING_HOURS="weekdays 9 to 5"))

    assert result.returncode != 0
    assert "CLINIC_OPENING_HOURS must look like 'mon-fri 09:00-17:00'" in result.stderr
