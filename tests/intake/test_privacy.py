"""The privacy notice the consent box links to: what, who, how long."""

import pytest

from clinic_site.intake import consent
from tests.helpers import assert_says

pytestmark = pytest.mark.django_db


def test_privacy_notice_states_what_is_stored_who_sees_it_and_for_how_long(client, settings):
    settings.CONTACT_RETENTION_DAYS = 90

    page = client.get("/privacy/").content.decode()

    assert_says(
        page,
        "What we store",
        *("name", "email address", "phone number", "your message"),
        "Who can see it",
        "Staff who edit the website's articles cannot see contact requests",
        "How long we keep it",
        "90 days after closing them",
        "tracking",
        f"Version {consent.CURRENT_VERSION}",
    )


def test_privacy_notice_states_the_rate_limit_window(client, settings):
    settings.CONTACT_RATE_WINDOW_SECONDS = 1800

    assert "deleted after 30 minutes at most" in client.get("/privacy/").content.decode()


def test_the_privacy_notice_states_the_receipts_real_lifetime(client, settings):
    settings.CONTACT_RECEIPT_MINUTES = 7

    page = client.get("/privacy/").content.decode()

    assert "expires after 7 minutes anyway" in page
