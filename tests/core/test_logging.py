"""Logs are JSON lines on stdout and never hold personal data or request bodies.

The main test follows one person's contact request from start to finish (the form, a
submission with a mistake, the corrected submission, the thank-you page, the staff
notification sent by the task worker, a member of staff opening it in the admin) and
reads every line logged on the way at DEBUG level, the most talkative there is.
"""

import json
import logging
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from clinic_site.core.logging import JsonFormatter
from clinic_site.intake.models import ContactRequest
from tests.factories import make_staff
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db(transaction=True)

PERSON = {
    "name": "Zephyrine Quillfeather-Ñúñez",
    "email": "zq.7731@example.net",
    "phone": "555 019 8844",
    "preferred_contact_method": "phone",
    "voicemail_ok": "on",
    "best_time": "Tuesdays after 4pm",
    "interest": "ptsd",
    "message": "Since the accident I cannot sleep; nightmares-marker-4417 every night.",
    "consent": "on",
}
# The values a log must never contain (choices like "phone" are not personal data).
SECRETS = [
    PERSON["name"],
    "Zephyrine",
    "Quillfeather",
    "Ñúñez",
    PERSON["email"],
    "zq.7731",
    PERSON["phone"],
    "5550198844",
    PERSON["best_time"],
    "nightmares-marker-4417",
    "cannot sleep",
]


@pytest.fixture
def every_log_line():
    """Every record from every logger, at DEBUG, formatted as production writes it."""
    lines = []
    formatter = JsonFormatter()

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(formatter.format(record))

    root = logging.getLogger()
    named = [logging.getLogger(name) for name in logging.root.manager.loggerDict]
    levels = {logger: logger.level for logger in [root, *named]}
    handler = Capture(level=logging.DEBUG)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for logger in named:  # let every library speak, even those quietened in settings
        logger.setLevel(logging.NOTSET)
    yield lines
    root.removeHandler(handler)
    for logger, level in levels.items():
        logger.setLevel(level)


def test_a_full_contact_request_leaves_no_personal_data_in_any_log_line(
    client, every_log_line, capfd
):
    assert client.get(reverse("intake:contact")).status_code == 200
    # A mistake first: the form comes back with the person's answers in it.
    with_error = {**PERSON, "email": "zq.7731-at-example.net"}
    assert client.post(reverse("intake:contact"), with_error).status_code == 200
    # A query string is never logged either.
    sent = client.post(reverse("intake:contact") + "?" + urlencode({"ref": PERSON["name"]}), PERSON)
    assert sent.status_code == 302
    assert client.get(sent["Location"]).status_code == 200
    contact_request = ContactRequest.objects.get()
    assert contact_request.name == PERSON["name"]

    # close_old_connections() would close the test's own transaction's connection.
    with mock.patch("clinic_site.core.worker.close_old_connections"):
        call_command("task_worker", "--batch")
    assert len(mail.outbox) == 1

    staff, _ = make_staff("desk", superuser=True)
    force_login_verified(client, staff)
    page = client.get(reverse("admin:intake_contactrequest_change", args=[contact_request.pk]))
    assert PERSON["name"] in page.content.decode()

    captured = capfd.readouterr()
    # Read as text, so an escaped "\u00d1" cannot hide an "Ñ".
    logged = "\n".join(json.dumps(json.loads(line), ensure_ascii=False) for line in every_log_line)
    assert every_log_line, "nothing was logged: the test would prove nothing"
    assert any(
        json.loads(line).get("event") == "contact_request.received" for line in every_log_line
    )
    for secret in SECRETS:
        assert secret.lower() not in logged.lower(), f"{secret!r} in the logs"
        assert secret.lower() not in (captured.out + captured.err).lower(), f"{secret!r} printed"


def test_an_exception_logs_its_type_but_not_its_message(every_log_line):
    logger = logging.getLogger("clinic_site.test")
    try:
        raise ValueError(f"could not parse {PERSON['email']}")
    except ValueError:
        logger.exception("parsing failed", extra={"event": "test"})

    line = json.loads(every_log_line[-1])
    assert line["error_type"] == "ValueError"
    assert PERSON["email"] not in every_log_line[-1]


def test_only_allowlisted_extra_keys_are_written(every_log_line):
    logging.getLogger("clinic_site.test").info(
        "stored", extra={"event": "test", "message_text": PERSON["message"], "email": "x@y.z"}
    )

    line = json.loads(every_log_line[-1])
    assert line["event"] == "test"
    assert "message_text" not in line and "email" not in line


def test_logs_go_to_stdout_as_json(settings):
    handler = settings.LOGGING["handlers"]["stdout"]

    assert handler["stream"] == "ext://sys.stdout"
    assert settings.LOGGING["formatters"]["json"]["()"] == "clinic_site.core.logging.JsonFormatter"
    assert settings.LOGGING["root"]["handlers"] == ["stdout"]
