"""Every staff page writes dates one way, "30 Nov 2026, 14:05", in the clinic's time zone."""

import re

import pytest
from django.urls import reverse

from clinic_site.intake.models import AccessLog
from tests.factories import make_article, make_contact_request

pytestmark = pytest.mark.django_db

STAFF_FORMAT = re.compile(r"\b\d{2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}\b")
OTHER_FORMATS = [
    re.compile(r"\b[A-Z][a-z]{2}\.? \d{1,2}, \d{4}"),  # Django's "Nov. 30, 2026"
    re.compile(r"\d{1,2}:\d{2} [ap]\.m\."),  # "2:05 p.m."
    re.compile(r">\d{4}-\d{2}-\d{2} \d{2}:\d{2}"),  # ISO, as the old access log had it
]


@pytest.mark.parametrize(
    "page",
    ["admin:articles_article_changelist", "admin:intake_accesslog_changelist"],
)
def test_staff_lists_write_dates_one_way(admin_client_with_otp, page):
    make_article()
    AccessLog.objects.record([make_contact_request()], AccessLog.Action.VIEWED)

    html = admin_client_with_otp.get(reverse(page)).content.decode()

    assert STAFF_FORMAT.search(html)
    for other in OTHER_FORMATS:
        assert not other.search(html), other.pattern


def test_dates_are_in_the_clinics_time_zone(admin_client_with_otp, settings):
    from datetime import UTC, datetime

    settings.TIME_ZONE = "America/New_York"
    request = make_contact_request(created_at=datetime(2026, 7, 1, 16, 30, tzinfo=UTC))

    html = admin_client_with_otp.get(request.get_admin_url()).content.decode()

    assert "01 Jul 2026, 12:30" in html  # 16:30 UTC is 12:30 in New York in July
    assert "All dates and times are the clinic's local time (America/New_York)." in html
