"""Article history that people can read: numbered versions, words, the clinic's time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from clinic_site.articles.history import Piece, as_text, summary, word_diff
from clinic_site.core.staff_display import staff_datetime
from tests.articles.test_admin import CHANGELIST, form_data
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_word_diff_marks_each_changed_word():
    pieces = word_diff(
        "The infusion takes about 40 minutes.", "The infusion takes about 45 minutes."
    )

    assert pieces == [
        Piece("same", "The infusion takes about "),
        Piece("removed", "40"),
        Piece("added", "45"),
        Piece("same", " minutes."),
    ]
    assert as_text(pieces) == ("The infusion takes about [removed: 40][added: 45] minutes.")


def test_word_diff_of_an_insertion_and_of_identical_text():
    assert as_text(word_diff("Rest after.", "Rest for an hour after.")) == (
        "Rest [added: for an hour ]after."
    )
    assert word_diff("Same.", "Same.") == [Piece("same", "Same.")]
    assert as_text(word_diff("", "New.")) == "[added: New.]"


def test_versions_are_numbered_per_article():
    first = make_article()
    other = make_article()
    for title in ("Two", "Three"):
        first.title = title
        first.save()
        other.save()

    numbers = [record.version_number for record in first.history.order_by("history_id")]

    assert numbers == [1, 2, 3]
    assert other.history.latest().version_number == 3


def test_history_page_speaks_in_words_and_the_clinics_time(admin_client_with_otp, settings):
    article = make_article(title="Aftercare", body="Rest for an hour.\n")
    admin_client_with_otp.post(
        f"{CHANGELIST}{article.pk}/change/", form_data(article, body="Rest for two hours.\n")
    )
    latest = article.history.latest()

    html = admin_client_with_otp.get(f"{CHANGELIST}{article.pk}/history/").content.decode()

    for heading in ("Version", "Saved", "By", "What happened"):
        assert f'<th scope="col">{heading}</th>' in html
    assert "CHANGED_FIELDS" not in html.upper().replace("CHANGED TEXT", "")
    assert "Change reason" not in html and "None" not in html
    assert "Version 2" in html and "Version 3" not in html
    assert "Changed text" in html
    local = timezone.localtime(latest.history_date)
    assert f"{local:%d %b %Y, %H:%M} {local.tzname()}" in html
    assert settings.TIME_ZONE == "America/New_York" and local.tzname() in ("EST", "EDT")


def test_diff_page_wraps_the_text_instead_of_a_preformatted_block(admin_client_with_otp):
    article = make_article(body="Rest for an hour.\n")
    admin_client_with_otp.post(
        f"{CHANGELIST}{article.pk}/change/", form_data(article, body="Rest for two hours.\n")
    )
    latest = article.history.latest()

    html = admin_client_with_otp.get(
        f"{CHANGELIST}{article.pk}/history/{latest.history_id}/diff/"
    ).content.decode()

    assert '<div class="word-diff">' in html and "<pre" not in html
    assert "@@" not in html
    assert "Version 2 of" in html


# The 2nd of a month: a day-of-month format without its leading zero once failed here.
@time_machine.travel(datetime(2026, 12, 2, 11, 2, tzinfo=ZoneInfo("America/New_York")))
def test_restoring_a_version_is_logged_with_its_date_and_who_did_it(admin_client_with_otp):
    article = make_article(title="Good title", body="Good text.\n")
    first = article.history.earliest()
    article.title = "Mistaken title"
    article.save()

    restore_url = f"{CHANGELIST}{article.pk}/history/{first.history_id}/"
    response = admin_client_with_otp.post(restore_url, form_data(first.instance, slug=article.slug))

    assert response.status_code == 302
    latest = article.history.latest()
    # The staff pages' one date format, in the clinic's time zone.
    expected = f"Restored the version of {staff_datetime(first.history_date)} as a draft"
    assert latest.history_change_reason == expected
    # "02 Dec 2026, 11:02": the one staff format, whatever the day of the month.
    assert staff_datetime(first.history_date).startswith("02 Dec 2026, 11:02")
    assert latest.history_user == admin_client_with_otp.user
    assert summary(latest) == expected
    assert LogEntry.objects.latest("action_time").change_message == expected
    html = admin_client_with_otp.get(f"{CHANGELIST}{article.pk}/history/").content.decode()
    assert expected in html and "otp-admin" in html


def test_restoring_an_offline_version_of_a_live_page_asks_for_confirmation(
    admin_client_with_otp,
):
    article = make_article(status="draft", body="Early text.\n")
    offline = article.history.earliest()
    article.status = "published"
    article.save()
    restore_url = f"{CHANGELIST}{article.pk}/history/{offline.history_id}/"

    page = admin_client_with_otp.get(restore_url).content.decode()
    refused = admin_client_with_otp.post(restore_url, form_data(offline.instance))

    assert 'value="Restore this version"' in page and "Publish changes at" not in page
    assert "This is version 1, saved" in page
    assert admin_client_with_otp.get(f"{CHANGELIST}{article.pk}/history/x/").status_code == 404
    assert refused.status_code == 200
    assert "readers will see “page removed”" in refused.content.decode()
    article.refresh_from_db()
    assert article.is_public


def test_any_version_can_be_compared_with_the_current_text(admin_client_with_otp):
    article = make_article(title="Good title", body="First **words**.\n")
    first = article.history.earliest()
    article.body = "Second words.\n"
    article.save()
    article.body = "Third words.\n"
    article.save()

    html = admin_client_with_otp.get(
        f"{CHANGELIST}{article.pk}/history/{first.history_id}/diff/?with=current"
    ).content.decode()

    assert "compared with the current text" in html
    assert "[removed: </span>First" in html and "[added: </span>Third" in html
    assert "**" not in html  # rendered words, not Markdown


def test_the_restore_screen_says_restore_not_revert(admin_client_with_otp):
    article = make_article()
    first = article.history.earliest()
    article.title = "Changed"
    article.save()

    html = admin_client_with_otp.get(
        f"{CHANGELIST}{article.pk}/history/{first.history_id}/"
    ).content.decode()

    assert "Restore an earlier version of" in html and "Restore this version" in html
    assert "Revert" not in html and "Historical article" not in html
