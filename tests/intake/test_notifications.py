"""Staff are emailed that a request arrived, with no personal data, and failures retry."""

import logging
from datetime import timedelta
from smtplib import SMTPException
from unittest import mock

import pytest
from django.core import mail
from django.db import DatabaseError
from django.utils import timezone

from clinic_site.core.logging import JsonFormatter
from clinic_site.intake import notifications
from clinic_site.intake.models import ContactRequest, Notification
from tests.factories import form_data, make_contact_request, submit

pytestmark = pytest.mark.django_db

# Everything identifying or clinical in the default submission, in fragments long
# enough not to turn up by chance in timestamps, ids or Message-IDs.
PERSONAL = [
    "Ana Lucía",
    "Lucía",
    "Pérez",
    "ana.perez",
    "@example.com",
    "010-0147",
    "Weekday mornings",
    "infusions could help",
    "ptsd",
    "PTSD",
]
SMTP_REPLY = "451 4.3.0 Mailbox for ana.perez@example.com temporarily unavailable"
SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


def assert_no_personal_data(text: str):
    for value in PERSONAL:
        assert value not in text, f"{value!r} leaked"


def json_log_lines(caplog) -> str:
    formatter = JsonFormatter()
    return "\n".join(formatter.format(record) for record in caplog.records)


def time_passes():
    """Make every waiting retry due now, as if its delay had passed."""
    Notification.objects.waiting().update(next_attempt_at=timezone.now() - timedelta(seconds=1))


@pytest.fixture
def received(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client)
    assert response.status_code == 302
    return ContactRequest.objects.get()


def test_the_request_and_its_notification_are_committed_together(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(client)

    # Both rows are written by the same transaction: nothing waits for a later step
    # that a killed worker could miss.
    assert ContactRequest.objects.count() == 1
    assert Notification.objects.count() == 1
    assert callbacks == []


def test_the_outbox_row_holds_only_the_request_number_and_its_kind(received):
    queued = Notification.objects.get()

    assert queued.contact_request_id == received.pk
    assert queued.kind == "new"
    assert queued.last_error == ""


def test_staff_email_says_only_that_a_request_arrived_and_links_to_it(
    client, settings, django_capture_on_commit_callbacks, run_task_worker
):
    settings.CONTACT_NOTIFY_EMAILS = ["desk@clinic.example", "lead@clinic.example"]
    settings.SITE_URL = "https://clinic.example"
    with django_capture_on_commit_callbacks(execute=True):
        submit(client)
    received = ContactRequest.objects.get()

    run_task_worker()

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["desk@clinic.example", "lead@clinic.example"]
    assert email.subject == f"New contact request #{received.pk}"
    link = f"https://clinic.example/{settings.ADMIN_URL}intake/contactrequest/{received.pk}/change/"
    assert link in email.body
    assert "A new contact request has arrived" in email.body
    assert_no_personal_data(email.message().as_string())
    received.refresh_from_db()
    assert received.notified_at is not None


def test_urgent_request_email_says_urgent_and_still_nothing_else(
    client, django_capture_on_commit_callbacks, run_task_worker
):
    message = "I have been thinking about suicide. I would like infusions could help info."
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, form_data(message=message))

    run_task_worker()

    email = mail.outbox[0]
    assert email.subject.startswith("Urgent:")
    assert "marked urgent" in email.body
    assert "suicide" not in email.message().as_string()
    assert_no_personal_data(email.message().as_string())


def test_a_failed_send_keeps_the_request_logs_no_personal_data_and_retries(
    received, run_task_worker, caplog
):
    with mock.patch(SEND, side_effect=SMTPException(SMTP_REPLY)), caplog.at_level(logging.INFO):
        run_task_worker()

    # The request is safe, and nobody was emailed.
    received.refresh_from_db()
    assert received.notified_at is None
    assert mail.outbox == []

    # The failure is logged with the request number and attempt, nothing personal.
    failures = [r for r in caplog.records if getattr(r, "outcome", None) == "retry"]
    assert len(failures) == 1
    assert failures[0].contact_request_id == received.pk
    assert failures[0].attempt == 1
    assert failures[0].error_type == "SMTPException"
    lines = json_log_lines(caplog)
    assert_no_personal_data(lines)
    assert "451 4.3.0" not in lines

    # The failed attempt is recorded without the SMTP reply; the retry waits its turn.
    waiting = Notification.objects.get()
    assert waiting.attempts == 1
    assert waiting.last_error == "SMTPException"
    assert waiting.sent_at is None
    assert waiting.next_attempt_at > timezone.now() + timedelta(seconds=30)

    run_task_worker()  # too early: the retry is not due yet
    assert mail.outbox == []

    time_passes()
    run_task_worker()

    assert len(mail.outbox) == 1
    received.refresh_from_db()
    assert received.notified_at is not None
    waiting.refresh_from_db()
    assert waiting.sent_at is not None
    assert waiting.attempts == 2


def test_retries_back_off_then_go_on_hourly_and_never_give_up(received, run_task_worker, caplog):
    attempts = notifications.MAX_ATTEMPTS + 3
    delays = []
    with mock.patch(SEND, side_effect=SMTPException(SMTP_REPLY)), caplog.at_level(logging.INFO):
        for _ in range(attempts):
            before = timezone.now()
            run_task_worker()
            delays.append(Notification.objects.get().next_attempt_at - before)
            time_passes()

    assert Notification.objects.get().attempts == attempts
    # Longer each time along the schedule, then hourly for as long as it takes.
    schedule = delays[: notifications.MAX_ATTEMPTS - 1]
    assert schedule == sorted(schedule)
    assert all(
        timedelta(minutes=59) < delay < timedelta(minutes=61)
        for delay in delays[notifications.MAX_ATTEMPTS - 1 :]
    )
    outcomes = [
        r.outcome for r in caplog.records if getattr(r, "event", "").endswith("notification")
    ]
    assert "gave_up" not in outcomes
    assert outcomes[-1] == "still_failing"
    assert mail.outbox == []

    # The mail server comes back: the next hourly attempt sends it.
    run_task_worker()
    assert len(mail.outbox) == 1
    received.refresh_from_db()
    assert received.notified_at is not None


def test_an_urgent_notification_is_retried_every_minute_not_on_the_hourly_ladder(
    client, run_task_worker
):
    submit(client, form_data(message="I want to end it"))
    delays = []
    with mock.patch(SEND, side_effect=SMTPException(SMTP_REPLY)):
        for _ in range(notifications.MAX_ATTEMPTS + 2):
            before = timezone.now()
            run_task_worker()
            delays.append(Notification.objects.get().next_attempt_at - before)
            time_passes()

    assert all(timedelta(seconds=50) < delay < timedelta(seconds=70) for delay in delays)


def test_when_the_notification_cannot_be_queued_nothing_is_stored_and_the_person_is_told(
    client, caplog
):
    with (
        mock.patch.object(notifications, "queue", side_effect=DatabaseError),
        caplog.at_level(logging.ERROR),
    ):
        response = submit(client)

    # Stored and announced, or neither: here neither, and the page says so.
    assert response.status_code == 503
    assert b"not sent" in response.content
    assert ContactRequest.objects.count() == 0
    assert_no_personal_data(json_log_lines(caplog))


def test_the_request_is_announced_once_even_if_owed_twice(received, run_task_worker):
    notifications.queue(received)

    run_task_worker()

    assert len(mail.outbox) == 1
    assert Notification.objects.waiting().count() == 0
    assert Notification.objects.filter(cancelled_at__isnull=False).count() == 1


def test_without_recipients_nothing_is_sent_and_it_is_tried_again_later(
    received, run_task_worker, settings, caplog
):
    settings.CONTACT_NOTIFY_EMAILS = []

    with caplog.at_level(logging.WARNING):
        run_task_worker()

    assert mail.outbox == []
    assert any(getattr(r, "outcome", None) == "no_recipients" for r in caplog.records)
    assert Notification.objects.waiting().exists()

    settings.CONTACT_NOTIFY_EMAILS = ["desk@clinic.example"]
    time_passes()
    run_task_worker()
    assert len(mail.outbox) == 1


def test_a_deleted_request_needs_no_notification(run_task_worker):
    contact_request = make_contact_request()
    notifications.queue(contact_request)
    contact_request.delete()

    run_task_worker()

    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_logs_of_a_whole_submission_hold_no_personal_data(
    client, django_capture_on_commit_callbacks, run_task_worker, caplog
):
    with caplog.at_level(logging.DEBUG):
        with django_capture_on_commit_callbacks(execute=True):
            submit(client)
        run_task_worker()

    assert caplog.records
    assert_no_personal_data(json_log_lines(caplog))
