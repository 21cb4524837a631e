"""Changing a live article safely: drafts, previews, publishing changes, taking it offline."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from clinic_site.articles import scheduling
from clinic_site.articles.history import summary
from clinic_site.articles.models import Article, Status
from tests.articles.test_admin import CHANGELIST, date_and_time, form_data
from tests.factories import make_article, make_staff
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    """An anonymous reader (``client`` is the logged-in admin in these tests)."""
    return Client()


def change_url(article):
    return f"{CHANGELIST}{article.pk}/change/"


def save_draft(client, article, **changes):
    return client.post(change_url(article), {**form_data(article, **changes), "_save_draft": "1"})


def test_a_draft_of_a_live_article_leaves_readers_on_the_published_version(
    admin_client_with_otp, reader
):
    article = make_article(title="Aftercare", body="Rest for an hour.\n")

    response = save_draft(admin_client_with_otp, article, body="Rest for two hours.\n")

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "Rest for an hour.\n"
    assert article.draft["body"] == "Rest for two hours.\n"
    public = reader.get(article.get_absolute_url()).content.decode()
    assert "Rest for an hour." in public and "two hours" not in public
    assert article.history.latest().history_change_reason == (
        "Saved as draft (readers still see the published version)"
    )


def test_the_edit_page_continues_from_the_draft(admin_client_with_otp):
    article = make_article(body="Rest for an hour.\n")
    save_draft(admin_client_with_otp, article, body="Rest for two hours.\n")

    html = admin_client_with_otp.get(change_url(article)).content.decode()

    assert "Rest for two hours." in html
    assert 'value="Publish changes"' in html and 'value="Save as draft"' in html
    assert "Readers still see the published version" in html


def test_staff_preview_the_draft_at_its_private_address(admin_client_with_otp, reader):
    article = make_article(body="Rest for an hour.\n")
    save_draft(admin_client_with_otp, article, body="Rest for two hours.\n")
    draft_url = f"/articles/{article.slug}/draft/"

    preview = admin_client_with_otp.get(draft_url)

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Rest for two hours." in html and "Preview of unpublished changes" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-cache" in preview["Cache-Control"]
    assert reader.get(draft_url).status_code == 404


def test_publish_changes_replaces_the_live_version_and_history_records_both(
    admin_client_with_otp, reader
):
    article = make_article(body="Rest for an hour.\n")
    reader.get(article.get_absolute_url())  # cached for readers
    save_draft(admin_client_with_otp, article, body="Rest for two hours.\n")

    response = admin_client_with_otp.post(
        change_url(article), form_data(article, body="Rest for two hours.\n")
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.draft is None
    assert "Rest for two hours." in reader.get(article.get_absolute_url()).content.decode()
    reasons = [record.history_change_reason for record in article.history.order_by("history_id")]
    assert reasons[-2:] == [
        "Saved as draft (readers still see the published version)",
        "Published the draft changes",
    ]


def test_scheduled_changes_go_live_when_the_worker_runs_its_job(admin_client_with_otp, reader):
    article = make_article(body="Rest for an hour.\n")
    when = timezone.localtime() + timedelta(hours=1)
    response = save_draft(
        admin_client_with_otp,
        article,
        body="Rest for two hours.\n",
        **date_and_time("changes_publish_at", when),
    )
    assert response.status_code == 302
    assert "an hour" in reader.get(article.get_absolute_url()).content.decode()  # now cached

    with time_machine.travel(when + timedelta(seconds=30), tick=False):
        assert scheduling.publish_due_changes() == 1

        assert "two hours" in reader.get(article.get_absolute_url()).content.decode()
    article.refresh_from_db()
    assert article.draft is None and article.body == "Rest for two hours.\n"
    assert article.history.latest().history_change_reason.startswith(
        "Published the changes scheduled for"
    )


def test_scheduled_changes_show_for_staff_once_the_job_has_run():
    article = make_article(body="Old words.\n")
    article.draft = {**{k: getattr(article, k) for k in ("title", "summary", "topic", "order")}}
    article.draft["body"] = "New words.\n"
    article.draft_publish_at = timezone.now() + timedelta(minutes=5)
    article.save()
    editor, _ = make_staff("editor")
    editor.user_permissions.add(Permission.objects.get(codename="change_article"))
    staff = logged_in(editor)

    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        scheduling.publish_due_changes()

        assert "New words." in staff.get(article.get_absolute_url()).content.decode()


def test_changes_to_the_key_facts_are_kept_in_the_draft(admin_client_with_otp, reader):
    article = make_article(key_facts="One.\nTwo.\nThree.")

    save_draft(admin_client_with_otp, article, key_facts="One.\nTwo.\nThree, corrected.")

    article.refresh_from_db()
    assert article.draft["key_facts"] == "One.\nTwo.\nThree, corrected."
    assert "Three, corrected." not in reader.get(article.get_absolute_url()).content.decode()
    assert "Three, corrected." in article.with_draft().key_facts


def test_changes_cannot_be_scheduled_in_the_past(admin_client_with_otp):
    article = make_article(body="Rest for an hour.\n")
    # An hour ago on the clock, then written in local time: subtracting from a local
    # time instead lands in the hour that does not exist the night clocks go forward.
    past = timezone.localtime(timezone.now() - timedelta(hours=1))

    response = save_draft(
        admin_client_with_otp,
        article,
        body="Rest for two hours.\n",
        **date_and_time("changes_publish_at", past),
    )

    assert response.status_code == 200
    assert "Choose a time in the future" in response.content.decode()
    article.refresh_from_db()
    assert article.draft is None


def test_taking_a_live_page_offline_asks_for_confirmation_naming_the_consequence(
    admin_client_with_otp, reader
):
    article = make_article()

    refused = admin_client_with_otp.post(change_url(article), form_data(article, status="draft"))

    assert refused.status_code == 200
    assert "readers will see “page removed”" in refused.content.decode()
    assert reader.get(article.get_absolute_url()).status_code == 200

    confirmed = admin_client_with_otp.post(
        change_url(article), form_data(article, status="draft", confirm_take_offline="on")
    )

    assert confirmed.status_code == 302
    assert reader.get(article.get_absolute_url()).status_code == 410
    assert article.history.latest().history_change_reason == (
        "Taken offline: readers see “page removed”"
    )


def test_a_draft_article_is_saved_normally_without_draft_buttons(admin_client_with_otp):
    article = make_article(status=Status.DRAFT, body="Work in progress.\n")

    html = admin_client_with_otp.get(change_url(article)).content.decode()
    response = admin_client_with_otp.post(
        change_url(article), form_data(article, body="Still in progress.\n")
    )

    assert 'value="Save as draft"' not in html
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "Still in progress.\n" and article.draft is None


def test_publishing_now_records_whole_seconds_so_the_next_save_changes_nothing(
    admin_client_with_otp,
):
    article = make_article()
    assert article.published_at.microsecond == 0

    admin_client_with_otp.post(change_url(article), form_data(article))

    latest = article.history.latest()
    assert summary(latest) == "Saved without changes"
    assert Article.objects.get(pk=article.pk).published_at == article.published_at


def test_saving_a_draft_leaves_the_public_last_updated_date_alone(admin_client_with_otp):
    article = make_article()
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() - timedelta(days=30))
    before = Article.objects.get(pk=article.pk).updated_at

    save_draft(admin_client_with_otp, article, body="New words.\n")

    assert Article.objects.get(pk=article.pk).updated_at == before


def test_a_draft_says_which_changes_it_cannot_hold(admin_client_with_otp, reader):
    article = make_article(slug="aftercare")

    response = save_draft(admin_client_with_otp, article, slug="after-care", body="New words.\n")

    messages = [str(m) for m in admin_client_with_otp.get(change_url(article)).context["messages"]]
    assert response.status_code == 302
    assert any("Not part of the draft, so not changed: address" in m for m in messages)
    assert Article.objects.get(pk=article.pk).slug == "aftercare"
    assert reader.get("/articles/aftercare/").status_code == 200


def test_an_unpublished_article_has_no_draft_or_take_offline_controls(admin_client_with_otp):
    article = make_article(status=Status.DRAFT)

    html = admin_client_with_otp.get(change_url(article)).content.decode()
    add = admin_client_with_otp.get(f"{CHANGELIST}add/").content.decode()

    for page in (html, add):
        assert "Publish changes at" not in page
        assert "Yes, take this page offline" not in page
