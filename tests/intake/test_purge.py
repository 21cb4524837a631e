"""`manage.py purge_contact_requests`: closed requests go after the retention period."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from clinic_site.intake.models import AccessLog, ContactNote, ContactRequest, Status
from tests.factories import make_contact_request, make_staff

pytestmark = pytest.mark.django_db


def closed(days_ago: int) -> ContactRequest:
    contact_request = make_contact_request(status=Status.CLOSED)
    ContactRequest.objects.filter(pk=contact_request.pk).update(
        closed_at=timezone.now() - timedelta(days=days_ago)
    )
    return contact_request


def purge(*args) -> str:
    out = io.StringIO()
    call_command("purge_contact_requests", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def requests_of_all_ages(settings):
    settings.CONTACT_RETENTION_DAYS = 30
    return {
        "old_closed": closed(days_ago=45),
        "recent_closed": closed(days_ago=10),
        "old_open": make_contact_request(
            status=Status.CONTACTED, created_at=timezone.now() - timedelta(days=400)
        ),
    }


def test_closed_requests_older_than_the_retention_period_are_deleted(requests_of_all_ages):
    output = purge()

    remaining = set(ContactRequest.objects.values_list("pk", flat=True))
    assert remaining == {
        requests_of_all_ages["recent_closed"].pk,
        requests_of_all_ages["old_open"].pk,
    }
    assert "Deleted 1 closed contact request(s) closed more than 30 days ago." in output


def test_dry_run_counts_but_deletes_nothing(requests_of_all_ages):
    output = purge("--dry-run")

    assert ContactRequest.objects.count() == 3
    assert "Dry run: 1 closed contact request(s)" in output
    assert "Nothing was deleted" in output
    assert not AccessLog.objects.exists()


def test_days_can_be_overridden(requests_of_all_ages):
    purge("--days", "5")

    assert list(ContactRequest.objects.values_list("pk", flat=True)) == [
        requests_of_all_ages["old_open"].pk
    ]


def test_negative_days_are_refused(requests_of_all_ages):
    with pytest.raises(CommandError):
        purge("--days", "-1")
    assert ContactRequest.objects.count() == 3


def test_notes_go_with_the_request_and_the_deletion_is_logged(requests_of_all_ages):
    old = requests_of_all_ages["old_closed"]
    author, _ = make_staff("desk")
    ContactNote.objects.create(contact_request=old, author=author, body="Called back.")

    purge()

    assert not ContactNote.objects.exists()
    entry = AccessLog.objects.get()
    assert entry.action == AccessLog.Action.DELETED
    assert entry.request_number == old.pk
    assert entry.actor is None


def test_output_names_nobody(requests_of_all_ages):
    old = requests_of_all_ages["old_closed"]

    output = purge("--dry-run") + purge()

    assert old.name not in output
    assert old.email not in output
