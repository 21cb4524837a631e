"""Every stored contact request reaches a person, whatever fails on the way.

Each test injects one fault the way a deployment meets it and checks what a person
(the patient, the front desk) would notice: a request announced anyway, a page that
says plainly what happened, one row per submission.
"""

import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from datetime import timedelta
from smtplib import SMTPException
from unittest import mock
from urllib.parse import urlparse

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from clinic_site.core import monitoring, periodic
from clinic_site.core.models import Heartbeat
from clinic_site.intake import notifications, services
from clinic_site.intake.models import ContactRequest, Notification
from tests.core.production import BASE_DIR, manage, production_env, run_python
from tests.factories import CONTACT_URL, form_data, make_contact_request, submit
from tests.helpers import self_healing_worker, writes_refused
from tests.servers import start, stop

pytestmark = pytest.mark.django_db

SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


class WorkerKilled(BaseException):
    """What the code sees of a SIGKILL: nothing after this point runs."""


def run_self_healing_worker():
    """`manage.py task_worker` for one pass: housekeeping, then every task that is due."""
    # close_old_connections() would close the test's own transaction (see conftest.py).
    with mock.patch("clinic_site.core.worker.close_old_connections"):
        self_healing_worker().run()


def received_request(**fields) -> ContactRequest:
    """A stored request with its notification owed, as the contact form leaves it."""
    contact_request = make_contact_request(**fields)
    notifications.queue(contact_request)
    return contact_request


def minutes_ago(minutes: int):
    return timezone.now() - timedelta(minutes=minutes)


def form_token(client) -> str:
    page = client.get(CONTACT_URL).content.decode()
    return re.search(r'name="submission_token" value="([^"]+)"', page).group(1)


# --- No gap between storing and notifying ----------------------------------------------


def test_a_web_worker_killed_between_save_and_enqueue_leaves_no_unannounced_request(client):
    with (
        mock.patch.object(notifications, "queue", side_effect=WorkerKilled),
        pytest.raises(WorkerKilled),
    ):
        submit(client)

    # The transaction never committed: no request exists without its notification.
    # The person saw no thank-you (their connection dropped) and can send it again.
    assert ContactRequest.objects.count() == 0
    assert Notification.objects.count() == 0


def claimed_by_a_worker(minutes: int):
    """Every owed email claimed by a worker ``minutes`` ago (its lease taken then)."""
    Notification.objects.update(next_attempt_at=minutes_ago(minutes) + notifications.CLAIM_LEASE)


def test_a_notification_left_claimed_by_a_dead_worker_is_sent_when_its_lease_runs_out():
    contact_request = received_request()
    claimed_by_a_worker(10)  # a worker claimed it and was killed mid-send

    run_self_healing_worker()

    assert len(mail.outbox) == 1
    contact_request.refresh_from_db()
    assert contact_request.notified_at is not None


def test_a_notification_being_sent_now_is_not_taken_from_its_worker():
    received_request()
    claimed_by_a_worker(0)

    run_self_healing_worker()
    assert mail.outbox == []  # its worker is sending it
    assert not notifications.send_next()
    later = timezone.now() + notifications.CLAIM_LEASE + timedelta(seconds=1)
    assert notifications.send_next(now=later)  # its worker died: due again
    assert len(mail.outbox) == 1


def test_two_workers_never_send_the_same_notification():
    received_request()
    now = timezone.now()

    first = notifications._claim(now)  # one worker claims it...
    second = notifications._claim(now)  # ...and another, at the same moment, finds none

    assert first is not None
    assert second is None


# --- The worker heals itself ----------------------------------------------------------


def test_the_worker_survives_database_errors_and_carries_on(caplog):
    received_request()
    real_beat = Heartbeat.objects.beat
    outage = iter([OperationalError("server closed the connection unexpectedly")] * 2)

    def beat(name):
        if error := next(outage, None):
            raise error
        real_beat(name)

    with (
        mock.patch.object(Heartbeat.objects, "beat", side_effect=beat),
        mock.patch("clinic_site.core.worker.connections.all", return_value=[]),
        mock.patch("clinic_site.core.worker.time.sleep") as sleep,
        caplog.at_level(logging.INFO),
    ):
        run_self_healing_worker()

    assert len(mail.outbox) == 1  # the database came back and the email went out
    assert [call.args[0] for call in sleep.call_args_list] == [1, 2]  # backing off
    errors = [r for r in caplog.records if getattr(r, "event", "") == "task_worker.database_error"]
    assert [r.error_type for r in errors] == ["OperationalError", "OperationalError"]
    assert "server closed" not in caplog.text.split("Traceback")[0]
    assert Heartbeat.objects.filter(name="task-worker:test-worker").exists()


def test_a_broken_periodic_job_does_not_stop_the_emails(monkeypatch, caplog):
    received_request()

    def broken():
        raise ValueError("a bug")

    monkeypatch.setitem(
        periodic._jobs, "broken", periodic.Job("broken", timedelta(minutes=1), broken)
    )
    with caplog.at_level(logging.ERROR):
        run_self_healing_worker()

    assert len(mail.outbox) == 1
    failed = [r for r in caplog.records if getattr(r, "event", "") == "periodic.failed"]
    assert [r.job for r in failed] == ["broken"]
    assert [r.exc_info[0] for r in failed] == [ValueError]


def test_smtp_down_past_the_whole_schedule_then_up_the_request_is_sent():
    contact_request = received_request()
    with mock.patch(SEND, side_effect=SMTPException("421 down")):
        for _ in range(notifications.MAX_ATTEMPTS + 2):
            run_self_healing_worker()
            Notification.objects.waiting().update(next_attempt_at=timezone.now())

    assert mail.outbox == []
    run_self_healing_worker()

    assert len(mail.outbox) == 1
    contact_request.refresh_from_db()
    assert contact_request.notified_at is not None


def test_after_an_smtp_outage_everything_waiting_goes_out_within_a_minute_of_recovery():
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        earlier = [received_request() for _ in range(3)]
        urgent = received_request(message="I want to end it")
        with mock.patch(SEND, side_effect=SMTPException("421 down")):
            # 11.5 minutes of outage: each row fails on its ladder (1, 5, ... minutes).
            for _ in range(23):
                run_self_healing_worker()
                clock.shift(timedelta(seconds=30))
        assert mail.outbox == []
        assert Notification.objects.filter(
            next_attempt_at__gt=timezone.now() + timedelta(minutes=5)
        ).exists()  # some wait far beyond the recovery without the release

        recovered_at = timezone.now()
        # The mail server is back. Within a minute, the urgent row's retry comes up...
        clock.shift(timedelta(minutes=1))
        run_self_healing_worker()

        # ...and its success releases every waiting row at once.
        assert len(mail.outbox) == 4
        assert mail.outbox[0].subject.startswith("Urgent:")
        for contact_request in [*earlier, urgent]:
            contact_request.refresh_from_db()
            assert contact_request.notified_at - recovered_at <= timedelta(minutes=1)


def test_a_worker_busy_sending_for_minutes_stays_green_on_the_monitor():
    for _ in range(100):
        received_request()
    checked = []

    with time_machine.travel(timezone.now(), tick=False) as clock:
        real_send = notifications.notification_email

        def slow_mail_server(notification):
            # Each email takes three seconds of the (fake) clock: 100 of them, five minutes.
            clock.shift(timedelta(seconds=3))
            checked.append(monitoring.task_worker_alive())
            return real_send(notification)

        with mock.patch.object(notifications, "notification_email", slow_mail_server):
            run_self_healing_worker()

    assert len(mail.outbox) == 100
    assert len(checked) == 100 and all(checked)


# --- Never give up silently -------------------------------------------------------------


def test_the_queue_says_staff_not_notified_in_words_and_filters_on_it(front_desk):
    stuck = make_contact_request(created_at=minutes_ago(45))
    make_contact_request(created_at=minutes_ago(45), notified_at=minutes_ago(44))
    make_contact_request()  # just arrived: its email is on its way

    page = front_desk.get(reverse("admin:intake_contactrequest_changelist"))
    filtered = front_desk.get(
        reverse("admin:intake_contactrequest_changelist") + "?staff_email=not_notified"
    )

    html = page.content.decode()
    assert html.count("Staff not notified</strong>") == 1
    assert "Sending" in html and "Sent" in html
    assert [row.pk for row in filtered.context["cl"].result_list] == [stuck.pk]


def test_the_request_itself_says_staff_not_notified(front_desk):
    stuck = make_contact_request(created_at=minutes_ago(45))

    page = front_desk.get(reverse("admin:intake_contactrequest_change", args=[stuck.pk]))

    assert "Staff not notified</strong>" in page.content.decode()


def test_the_admin_home_page_warns_of_requests_staff_were_not_told_about(front_desk):
    assert b"not been emailed" not in front_desk.get(reverse("admin:index")).content

    make_contact_request(created_at=minutes_ago(45))
    make_contact_request(created_at=minutes_ago(45))

    page = front_desk.get(reverse("admin:index")).content.decode()
    assert "2 new contact requests have not been emailed to staff" in page
    assert "?staff_email=not_notified" in page


# --- Honest failure page --------------------------------------------------------------


@pytest.fixture
def unwritable_database():
    """Every new contact request fails to be stored (tests/helpers.py)."""
    with writes_refused("intake_contactrequest"):
        yield


def test_when_the_database_cannot_be_written_the_person_is_told_and_keeps_their_words(
    client, settings, caplog, request
):
    settings.CLINIC_PHONE = "(555) 010-0199"
    token = form_token(client)
    message = "I would like to ask about a first appointment next month."

    request.getfixturevalue("unwritable_database")
    with caplog.at_level(logging.INFO):
        response = submit(client, form_data(message=message, submission_token=token))

    assert response.status_code == 503
    html = response.content.decode()
    assert "Your message was not sent" in html
    assert "(555) 010-0199" in html and "tel:(555)010-0199" in html
    assert escape(settings.URGENT_HELP_TEXT) in html
    # Their entries come back in the form, to send again or copy.
    assert message in html
    assert 'value="Ana Lucía Pérez"' in html
    assert f'value="{token}"' in html
    assert [r.outcome for r in caplog.records if hasattr(r, "outcome")] == ["not_stored"]
    assert "Ana" not in caplog.text and "first appointment" not in caplog.text
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA query_only = OFF")
    assert ContactRequest.objects.count() == 0


def test_a_database_error_on_the_contact_form_is_never_a_bare_500(client):
    with mock.patch.object(
        ContactRequest.objects, "create", side_effect=OperationalError("disk I/O error")
    ):
        response = submit(client)

    assert response.status_code == 503
    assert b"Your message was not sent" in response.content
    assert b"disk I/O" not in response.content


def test_the_thank_you_page_is_no_500_when_the_database_has_just_gone(client):
    response = submit(client)
    with mock.patch.object(
        ContactRequest.objects, "filter", side_effect=OperationalError("connection refused")
    ):
        thanks = client.get(response["Location"])

    assert thanks.status_code == 200
    assert b"thinking about suicide" in thanks.content  # unsure: the crisis box shows


# --- One request per submission ---------------------------------------------------------


def test_the_same_form_sent_twice_stores_one_request_and_thanks_both_times(client):
    token = form_token(client)
    data = form_data(submission_token=token)

    first = submit(client, data)
    first_thanks = client.get(first["Location"])
    second = submit(client, data)  # a double click, or a resend after a dropped line
    second_thanks = client.get(second["Location"])

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("intake:thanks")
    assert ContactRequest.objects.count() == 1
    assert Notification.objects.count() == 1
    assert first_thanks.content == second_thanks.content


def test_the_same_form_sent_twice_at_the_same_moment_stores_one_request(client):
    token = form_token(client)
    first = submit(client, form_data(submission_token=token))
    real_sent_before = services._sent_before
    # The second copy checks before the first has committed, so it finds nothing and
    # tries to store itself: the unique token stops it, and it answers as the first.
    with mock.patch.object(services, "_sent_before", side_effect=[None, real_sent_before(token)]):
        second = submit(client, form_data(submission_token=token))

    assert first.status_code == second.status_code == 302
    assert ContactRequest.objects.count() == 1
    assert Notification.objects.count() == 1


def test_two_page_loads_are_two_requests(client):
    submit(client, form_data(submission_token=form_token(client)))
    submit(client, form_data(submission_token=form_token(client)))

    assert ContactRequest.objects.count() == 2


def test_a_form_without_a_token_is_still_accepted(client):
    assert submit(client, form_data(submission_token="<not a token>")).status_code == 302
    assert submit(client).status_code == 302

    assert ContactRequest.objects.count() == 2
    assert not ContactRequest.objects.exclude(submission_token=None).exists()


def test_a_resubmission_does_not_use_up_the_rate_limit(client, settings):
    settings.CONTACT_RATE_LIMIT = 1
    data = form_data(submission_token=form_token(client))

    statuses = [submit(client, data).status_code for _ in range(3)]

    assert statuses == [302, 302, 302]
    assert ContactRequest.objects.count() == 1


# --- A dead worker process is started again ---------------------------------------------

STORE_A_REQUEST = """
import django; django.setup()
from django.db import transaction
from django.utils import timezone
from clinic_site.intake.models import ContactRequest
from clinic_site.intake.notifications import queue
with transaction.atomic():
    request = ContactRequest.objects.create(
        name="Test Person", email="person@example.com", preferred_contact_method="email",
        interest="other", message="A test message.", consent_version="1",
        consented_at=timezone.now(),
    )
    queue(request)
print(request.pk)
"""


def worker_pids(supervisor: subprocess.Popen) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-P", str(supervisor.pid), "-f", "task_worker"],
        capture_output=True,
        text=True,
        check=False,
    )
    return [int(pid) for pid in found.stdout.split()]


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    pytest.fail(f"not within {seconds} s: {what}")


def test_a_killed_task_worker_is_started_again_within_seconds_and_sends_the_email(tmp_path):
    database = tmp_path / "worker.sqlite3"
    env = production_env(
        DATABASE_URL=f"sqlite:///{database}",
        REDIS_URL=None,
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        KEEP_RUNNING_DELAY="1",
        PYTHONUNBUFFERED="1",
    )
    assert manage("migrate", "--noinput", env=env).returncode == 0
    log = (tmp_path / "worker.log").open("w+")
    worker = [sys.executable, "manage.py", "task_worker", "--interval", "0.2"]
    # The way `make serve` runs it.
    supervisor = start(["scripts/keep-running.sh", *worker, "--no-startup-delay"], env, log)
    try:
        first = wait_for(lambda: worker_pids(supervisor), 30, "the worker started")[0]
        os.kill(first, signal.SIGKILL)
        killed_at = time.monotonic()

        number = run_python(STORE_A_REQUEST, env).splitlines()[-1]

        def notified():
            with closing(sqlite3.connect(database)) as db:
                row = db.execute(
                    "SELECT notified_at FROM intake_contactrequest WHERE id = ?", (number,)
                ).fetchone()
            return row and row[0]

        wait_for(notified, 10, "the restarted worker sent the email")
        assert time.monotonic() - killed_at < 10
        assert first not in worker_pids(supervisor)
        log.seek(0)
        output = log.read()
        assert f"New contact request #{number}" in output
        assert "keep_running.restart" in output
    finally:
        stop(supervisor, timeout=20)
        log.close()


def test_an_email_sent_as_the_database_fails_is_recorded_on_its_return_and_not_sent_again():
    contact_request = received_request()
    real_record = notifications._record_sent
    outage = {"left": 1}  # recording the send fails once: the database went away

    def down_then_up(*args):
        if outage["left"]:
            outage["left"] -= 1
            raise OperationalError("the database system is shutting down")
        return real_record(*args)

    with (
        mock.patch.object(notifications, "_record_sent", down_then_up),
        mock.patch("clinic_site.core.worker.connections.all", return_value=[]),
        mock.patch("clinic_site.core.worker.time.sleep"),
    ):
        run_self_healing_worker()

    # Recorded as soon as the database answered again, and not sent a second time.
    assert len(mail.outbox) == 1
    contact_request.refresh_from_db()
    assert contact_request.notified_at is not None
    assert Notification.objects.get().sent_at is not None


ENV_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = ENV_URL.startswith(("postgres://", "postgresql://"))


@pytest.mark.skipif(not ON_POSTGRES, reason="DATABASE_URL does not point at PostgreSQL")
def test_the_task_worker_outlives_a_database_outage_and_then_sends(tmp_path):
    """PostgreSQL refuses connections for a while (a restart): the worker waits it out."""
    import psycopg
    from psycopg import sql

    server = urlparse(ENV_URL)
    name = f"clinic_outage_{uuid.uuid4().hex[:10]}"
    admin = server._replace(path="/postgres").geturl()
    scratch = server._replace(path=f"/{name}").geturl()

    def allow_connections(allowed: bool):
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as db:
            db.execute(
                sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
                    sql.Identifier(name), sql.SQL("true" if allowed else "false")
                )
            )
            if not allowed:
                db.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    [name],
                )

    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as db:
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env = production_env(
        DATABASE_URL=scratch,
        REDIS_URL=None,
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    log = (tmp_path / "worker.log").open("w+")
    process = None
    try:
        assert manage("migrate", "--noinput", env=env).returncode == 0
        process = subprocess.Popen(  # no supervisor: the worker itself must survive
            [sys.executable, "manage.py", "task_worker", "--interval", "0.2"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        time.sleep(2)  # real time for the real worker process to start polling
        allow_connections(False)
        time.sleep(6)  # the worker's queries fail, it backs off and retries
        allow_connections(True)
        number = run_python(STORE_A_REQUEST, env).splitlines()[-1]

        def notified():
            with psycopg.connect(scratch, connect_timeout=10) as db:
                row = db.execute(
                    "SELECT notified_at FROM intake_contactrequest WHERE id = %s", [number]
                ).fetchone()
            return row and row[0]

        wait_for(notified, 60, "the worker sent the email after the outage")

        def worker_log():
            log.seek(0)
            return log.read()

        # "Recovered" is logged when the worker's round is over, after the periodic jobs
        # that came due during the outage: it follows the email, not always at once.
        output = wait_for(
            lambda: "task_worker.recovered" in (text := worker_log()) and text,
            30,
            "the worker logged its recovery",
        )
        assert process.poll() is None  # never exited
        assert "task_worker.database_error" in output
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        log.close()
        allow_connections(True)
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as db:
            db.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
