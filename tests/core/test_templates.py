"""Repeated markup lives in one place: phone links come from the {% tel %} tag and the
crisis links from one partial, so their wording cannot drift apart."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_no_template_writes_a_phone_or_text_link_by_hand():
    by_hand = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if 'href="tel:' in path.read_text() or 'href="sms:' in path.read_text()
    ]

    assert by_hand == []


def test_the_tel_tag_keeps_separators_but_not_spaces():
    html = Template('{% load clinic %}{% tel "(555) 010-0123" %}').render(Context())

    assert html == '<a href="tel:(555)010-0123">(555) 010-0123</a>'


@pytest.mark.django_db
def test_the_banner_and_the_contact_pages_say_the_crisis_links_the_same_way(client):
    banner_page = client.get("/").content.decode()
    contact_page = client.get("/contact/").content.decode()

    wording = f"Emergency: call {settings.EMERGENCY_PHONE}"
    assert wording in banner_page
    assert contact_page.count(wording) == 2  # the banner and the form's own box
