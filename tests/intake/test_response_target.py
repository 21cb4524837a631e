"""The first-response target: when a request becomes "Overdue", and where it sits in the queue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic_site.intake.models import ContactRequest, Status

from .factories import make_contact_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(settings):
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
