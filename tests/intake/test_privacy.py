"""The privacy notice the consent box links to: what, who, how long."""

import pytest

from clinic_site.intake import consent

pytestmark = pytest.mark.django_db


def test_privacy_notice_states_what_is_stored_who_sees_it_and_for_how_long(client, settings):
    settings.CONTACT_RETENTION_DAYS = 90

    page = client.get("/privacy/").content.decode()

    assert "What we store" in page
    for item in ("name", "email address", "phone number", "your message"):
        assert item in page, item
    assert "Who can see it" in page
    assert "Staff who edit the website's articles cannot see contact requests" in page
    assert "How long we keep it" in page
    assert "90 days after closing them" in page
    assert "tracking" in page
    assert f"Version {consent.CURRENT_VERSION}" in page


def test_privacy_notice_states_the_rate_limit_window(client, settings):
    settings.CONTACT_RATE_WINDOW_SECONDS = 1800

    assert "deleted after 30 minutes at most" in client.get("/privacy/").content.decode()


def test_the_privacy_notice_states_the_receipts_real_lifetime(client, settings):
    settings.CONTACT_RECEIPT_MINUTES = 7

    page = client.get("/privacy/").content.decode()

    assert "expires after 7 minutes anyway" in page
