"""Rules that hold however a request is changed: response times, queue order, the log."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from clinic_site.intake.models import AccessLog, AppendOnlyError, ContactRequest, Status
from tests.factories import make_contact_request

pytestmark = pytest.mark.django_db


def test_first_response_is_recorded_when_the_person_is_first_reached():
    contact_request = make_contact_request()
    assert contact_request.first_response_at is None

    # Taking a request in hand is not a response: nobody has reached the person yet.
    contact_request.status = Status.IN_PROGRESS
    contact_request.save(update_fields=["status"])
    assert ContactRequest.objects.get().first_response_at is None

    contact_request.status = Status.CONTACTED
    contact_request.save(update_fields=["status"])
    first = ContactRequest.objects.get().first_response_at
    assert first is not None

    contact_request.status = Status.IN_PROGRESS
    contact_request.save()
    contact_request.status = Status.CONTACTED
    contact_request.save()
    assert ContactRequest.objects.get().first_response_at == first  # never moves


def test_first_response_stays_empty_while_a_request_is_new():
    contact_request = make_contact_request()
    contact_request.assigned_to = None
    contact_request.save()

    assert ContactRequest.objects.get().first_response_at is None


def test_closing_records_when_and_reopening_clears_it():
    contact_request = make_contact_request()

    contact_request.status = Status.CLOSED
    contact_request.save()
    assert ContactRequest.objects.get().closed_at is not None

    contact_request.status = Status.IN_PROGRESS
    contact_request.save()
    assert ContactRequest.objects.get().closed_at is None


def test_a_request_is_flagged_urgent_when_created_with_a_risky_message():
    assert make_contact_request(message="I want to end my life").urgent is True
    assert make_contact_request(message="What does it cost?").urgent is False


def test_the_string_form_never_shows_the_name():
    contact_request = make_contact_request(name="Ana Pérez")

    assert "Ana" not in str(contact_request)
    assert str(contact_request) == f"Contact request #{contact_request.pk}"


def test_queue_order_is_urgent_awaiting_response_first_then_oldest_new():
    now = timezone.now()
    newer_new = make_contact_request(created_at=now - timedelta(days=1))
    older_new = make_contact_request(created_at=now - timedelta(days=3))
    urgent_new = make_contact_request(created_at=now, message="I feel suicidal")
    urgent_in_progress = make_contact_request(
        created_at=now - timedelta(hours=1),
        message="thinking of suicide",
        status=Status.IN_PROGRESS,
    )
    in_progress = make_contact_request(
        created_at=now - timedelta(days=9), status=Status.IN_PROGRESS
    )
    contacted = make_contact_request(created_at=now - timedelta(days=10), status=Status.CONTACTED)
    urgent_closed = make_contact_request(
        created_at=now - timedelta(days=20), message="suicidal", status=Status.CLOSED
    )

    order = list(ContactRequest.objects.in_queue_order())

    assert order == [
        urgent_in_progress,
        urgent_new,
        older_new,
        newer_new,
        in_progress,
        contacted,
        urgent_closed,
    ]


def test_bulk_status_change_records_first_response_for_each():
    requests = [make_contact_request() for _ in range(3)]

    ContactRequest.objects.filter(pk__in=[r.pk for r in requests]).set_status(Status.CONTACTED)

    assert all(r.first_response_at for r in ContactRequest.objects.all())


def test_access_log_entries_cannot_be_changed_or_deleted():
    contact_request = make_contact_request()
    (entry,) = AccessLog.objects.record([contact_request], AccessLog.Action.VIEWED)
    entry = AccessLog.objects.get(pk=entry.pk)

    entry.detail = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().update(detail="tampered")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.get().detail == ""


def test_no_permission_to_change_the_access_log_exists_to_grant():
    codenames = set(
        Permission.objects.filter(
            content_type__app_label="intake", content_type__model="accesslog"
        ).values_list("codename", flat=True)
    )
    assert codenames == {"view_accesslog"}


def test_the_access_log_outlives_the_request():
    contact_request = make_contact_request()
    AccessLog.objects.record([contact_request], AccessLog.Action.VIEWED)

    number = contact_request.pk

    contact_request.delete()

    assert AccessLog.objects.filter(request_number=number).count() == 1
