"""Reply templates: kept by the manager, opened in the staff member's own mail client
in the person's language; the site itself sends nothing."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from clinic_site.intake.models import ReplyTemplate
from tests.factories import make_contact_request, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def front_desk(front_desk):
    """Front desk, with the first name a reply is signed with."""
    front_desk.user.first_name = "Dana"
    front_desk.user.save()
    return front_desk


def first_mailto(page: str) -> str:
    """The first mailto: link's address, as the browser reads it (HTML entities undone)."""
    return html.unescape(re.search(r'href="(mailto:[^"]+)"', page).group(1))


def test_the_starter_templates_exist_in_english_and_spanish():
    assert set(ReplyTemplate.objects.values_list("language", flat=True)) == {"en", "es"}


def test_a_spanish_speaker_gets_the_spanish_template_first_filled_in(front_desk, settings):
    settings.CLINIC_NAME = "Clínica Ejemplo"
    settings.CLINIC_PHONE = "555 010 0123"
    contact_request = make_contact_request(
        name="José Núñez", email="jose@example.com", preferred_language="es"
    )

    page = front_desk.get(reverse("admin:intake_contactrequest_change", args=[contact_request.pk]))
    page = page.content.decode()

    replies = page.split('id="replies-heading"')[1]
    url = urlsplit(first_mailto(replies))
    assert url.scheme == "mailto" and url.path == "jose@example.com"
    query = parse_qs(url.query)
    assert query["subject"] == ["Su solicitud a Clínica Ejemplo"]
    assert query["body"][0].startswith("Estimado/a José Núñez:")
    assert "llámenos al 555 010 0123" in query["body"][0]
    assert query["body"][0].rstrip().endswith("Dana\nClínica Ejemplo")
    assert "Spanish, their language" in replies
    assert mail.outbox == []  # nothing goes through the site's mail


def test_a_template_can_be_read_on_a_call_when_there_is_no_email(front_desk):
    contact_request = make_contact_request(name="Caller", email="", phone="555 010 0199")

    page = front_desk.get(reverse("admin:intake_contactrequest_change", args=[contact_request.pk]))

    text = page.content.decode().split('id="replies-heading"')[1]
    assert "No email address: read it on a call." in text
    assert "Dear Caller," in text
    assert "mailto:" not in text.split("</section>")[0]


def test_a_stray_brace_in_the_managers_text_is_left_as_it_is():
    template = ReplyTemplate.objects.create(
        title="Odd", subject="Hello {name} {unknown", body="Cost: {price}. {name}"
    )
    user, _ = make_staff("desk")

    subject, body = template.filled_in(make_contact_request(name="Ana"), user)

    assert (subject, body) == ("Hello Ana {unknown", "Cost: {price}. Ana")


def test_inactive_templates_are_not_offered(front_desk):
    ReplyTemplate.objects.update(active=False)
    contact_request = make_contact_request()

    page = front_desk.get(reverse("admin:intake_contactrequest_change", args=[contact_request.pk]))

    assert 'id="replies-heading"' not in page.content.decode()


def test_front_desk_reads_templates_but_only_the_manager_changes_them(front_desk):
    template = ReplyTemplate.objects.first()
    change = reverse("admin:intake_replytemplate_change", args=[template.pk])

    front_desk.post(change, {"title": "Changed", "language": "en", "subject": "x", "body": "y"})

    template.refresh_from_db()
    assert template.title == "First reply"
    assert front_desk.get(reverse("admin:intake_replytemplate_add")).status_code == 403
