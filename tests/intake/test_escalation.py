"""An urgent request nobody acts on is escalated, by email, every interval until someone does.

These tests send through a real SMTP server on 127.0.0.1 (tests/smtp_sink.py), with
the clock fixed and moved by hand.
"""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from clinic_site.accounts.roles import FRONT_DESK
from clinic_site.intake import followup, notifications
from clinic_site.intake.models import ContactRequest, Notification, NotificationKind, Status
from tests.factories import form_data, make_member, submit
from tests.helpers import force_login_verified
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db

START = "2026-12-02 15:00:00-05:00"  # a Wednesday, in opening hours


@pytest.fixture
def sink(settings):
    with SmtpSink() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 5
        settings.URGENT_ESCALATION_MINUTES = 1
        settings.URGENT_ESCALATION_EMAILS = []
        settings.CONTACT_NOTIFY_EMAILS = ["frontdesk@clinic.example"]
        yield server


@pytest.fixture
def desk(roles):
    user, _ = make_member(FRONT_DESK, "desk")
    user.email = "desk.person@clinic.example"
    user.save()
    return user


def run_worker():
    with mock.patch("clinic_site.core.worker.close_old_connections"):
        from tests.helpers import self_healing_worker

        self_healing_worker().run()


def escalations(sink):
    return [s for s in sink.subjects if s.startswith("Urgent, nobody has acted yet")]


def test_an_urgent_request_nobody_acts_on_is_escalated_every_interval_until_assigned(
    client, sink, desk
):
    with time_machine.travel(START, tick=False) as clock:
        submit(client, form_data(message="Ya no aguanto más, me voy a suicidar"))
        contact_request = ContactRequest.objects.get()
        run_worker()
        assert sink.subjects == [
            f"Urgent: new contact request #{contact_request.pk}, please check now"
        ]

        clock.shift(timedelta(seconds=30))
        run_worker()
        assert escalations(sink) == []  # not yet: the interval has not passed

        clock.shift(timedelta(seconds=31))
        run_worker()
        assert len(escalations(sink)) == 1
        escalation = sink.messages[-1]
        # To every front-desk user (the default on-call list) and the front-desk address.
        assert "desk.person@clinic.example" in escalation["X-Sink-Recipients"]
        assert "frontdesk@clinic.example" in escalation["X-Sink-Recipients"]
        assert "nobody has assigned it" in escalation.get_payload()
        assert "suicidar" not in escalation.as_string()

        clock.shift(timedelta(seconds=61))
        run_worker()
        assert len(escalations(sink)) == 2  # again, one interval later

        followup.assign(contact_request=contact_request, user=desk)
        for _ in range(3):
            clock.shift(timedelta(seconds=61))
            run_worker()
        assert len(escalations(sink)) == 2  # someone acted: no more

    sent = Notification.objects.filter(kind=NotificationKind.ESCALATION, sent_at__isnull=False)
    assert sent.count() == 2


def test_an_escalation_owed_when_someone_acts_is_not_sent(client, sink, desk):
    with time_machine.travel(START, tick=False) as clock:
        submit(client, form_data(message="I want to end it"))
        run_worker()
        clock.shift(timedelta(seconds=61))
        assert notifications.escalate() == 1
        contact_request = ContactRequest.objects.get()
        contact_request.status = Status.CONTACTED  # a call was made before it went out
        contact_request.save()
        run_worker()

    assert escalations(sink) == []
    assert Notification.objects.get(kind=NotificationKind.ESCALATION).cancelled_at is not None


def test_a_request_that_is_not_urgent_is_never_escalated(client, sink, desk):
    with time_machine.travel(START, tick=False) as clock:
        submit(client, form_data(message="Question about cost."))
        for _ in range(5):
            run_worker()
            clock.shift(timedelta(minutes=2))

    assert sink.subjects == [f"New contact request #{ContactRequest.objects.get().pk}"]


def test_escalations_are_recorded_on_the_request(client, sink, desk):
    with time_machine.travel(START, tick=False) as clock:
        submit(client, form_data(message="I want to end it"))
        run_worker()
        for _ in range(2):
            clock.shift(timedelta(seconds=61))
            run_worker()
        force_login_verified(client, desk)
        page = client.get(ContactRequest.objects.get().get_admin_url()).content.decode()

    assert "Escalated 2 times" in page
    assert "nobody had acted" in page


def test_an_urgent_request_is_due_in_minutes_in_real_time(settings):
    from tests.factories import make_contact_request

    settings.URGENT_FIRST_RESPONSE_MINUTES = 30
    # Friday evening, outside opening hours: the ordinary target would be Monday.
    with time_machine.travel("2026-12-04 18:00:00-05:00", tick=False) as clock:
        urgent = make_contact_request(message="I want to end it")
        ordinary = make_contact_request()
        assert urgent.response_due_at == timezone.now() + timedelta(minutes=30)
        assert ordinary.response_due_at > timezone.now() + timedelta(days=2)
        clock.shift(timedelta(minutes=31))
        assert urgent.is_overdue()
        assert not ordinary.is_overdue()
        assert set(ContactRequest.objects.overdue()) == {urgent}


def test_the_smtp_sink_refuses_connections_while_stopped_and_works_again(sink):
    from django.core.mail import send_mail

    sink.stop()
    with pytest.raises(OSError):
        send_mail("down", "body", "a@clinic.example", ["b@clinic.example"])
    sink.start()
    send_mail("up", "body", "a@clinic.example", ["b@clinic.example"])
    assert sink.subjects == ["up"]
