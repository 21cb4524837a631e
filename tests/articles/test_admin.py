"""The editors' admin: list columns, review filter, writing checks, history and restore."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic_site.articles.models import Article, Feedback
from tests.factories import make_article, make_staff

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"


def form_data(article, **changes):
    data = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "topic": article.topic,
        "order": article.order,
        "body": article.body,
        "status": article.status,
        "published_at_0": "",
        "published_at_1": "",
        "feedback-TOTAL_FORMS": "0",
        "feedback-INITIAL_FORMS": "0",
        "feedback-MIN_NUM_FORMS": "0",
        "feedback-MAX_NUM_FORMS": "0",
    }
    if article.published_at:
        data.update(date_and_time("published_at", article.published_at))
    data.update(changes)
    return data


def date_and_time(field: str, when) -> dict:
    """The admin's two inputs for a date-and-time field, in local time."""
    local = timezone.localtime(when)
    return {f"{field}_0": local.strftime("%Y-%m-%d"), f"{field}_1": local.strftime("%H:%M:%S")}


def test_article_list_shows_status_topic_review_due_and_feedback(admin_client_with_otp):
    article = make_article(title="Side effects", next_review_due=timezone.localdate())
    make_article(title="Later", published_at=timezone.now() + timedelta(days=3))
    Feedback.objects.create(article=article, helpful=True)
    Feedback.objects.create(article=article, helpful=False)
    Feedback.objects.create(article=article, helpful=True)

    html = admin_client_with_otp.get(CHANGELIST).content.decode()

    assert "Side effects" in html
    assert "Scheduled for" in html
    assert "About the treatment" in html
    assert "2 / 1" in html


def test_overdue_filter_lists_only_articles_past_their_review_date(admin_client_with_otp):
    make_article(title="Overdue page", next_review_due=timezone.localdate() - timedelta(days=1))
    make_article(title="Fresh page", next_review_due=timezone.localdate() + timedelta(days=90))

    html = admin_client_with_otp.get(CHANGELIST, {"review": "overdue"}).content.decode()

    assert "Overdue page" in html
    assert "Fresh page" not in html


def test_search_in_the_admin_finds_body_text(admin_client_with_otp):
    make_article(title="Needle page", body="Mentions the cannula.\n")
    make_article(title="Other page")

    html = admin_client_with_otp.get(CHANGELIST, {"q": "cannula"}).content.decode()

    assert "Needle page" in html and "Other page" not in html


def test_saving_shows_reading_time_grade_and_warns_about_avoided_words(admin_client_with_otp):
    article = make_article()
    body = "This treatment is a guaranteed cure. " * 10 + "\n\n![](/media/x.png)\n"

    response = admin_client_with_otp.post(
        f"{CHANGELIST}{article.pk}/change/", form_data(article, body=body), follow=True
    )

    messages = [str(m) for m in response.context["messages"]]
    assert any("Reading time about 1 min" in m and "target: about grade 8" in m for m in messages)
    assert any("guaranteed" in m and "cure" in m and "was saved" in m for m in messages)
    assert any(
        "without a description" in m and "image 1, before the first heading" in m for m in messages
    )
    article.refresh_from_db()
    assert "guaranteed cure" in article.body  # a warning, not a block


def test_change_page_shows_the_writing_checks_and_whether_it_matches_its_file(
    admin_client_with_otp,
):
    article = make_article(body="Calm words only.\n")
    article.source_file = "calm.md"
    article.imported_fingerprint = article.fingerprint()
    article.save()

    html = admin_client_with_otp.get(f"{CHANGELIST}{article.pk}/change/").content.decode()

    assert "Readability:" in html
    assert "Content file" in html and "Matches" in html


def test_history_shows_who_changed_what_and_a_diff(admin_client_with_otp):
    article = make_article(title="Original", body="Line one.\n")
    response = admin_client_with_otp.post(
        f"{CHANGELIST}{article.pk}/change/",
        form_data(article, body="Line one, clearer.\n"),
    )
    assert response.status_code == 302
    latest = article.history.latest()

    history = admin_client_with_otp.get(f"{CHANGELIST}{article.pk}/history/").content.decode()
    diff = admin_client_with_otp.get(
        f"{CHANGELIST}{article.pk}/history/{latest.history_id}/diff/"
    ).content.decode()

    assert "otp-admin" in history and "Changed text" in history
    assert '<del><span class="diff-mark">[removed: </span>one.' in diff
    assert '<ins><span class="diff-mark">[added: </span>one, clearer.<' in diff


def test_an_earlier_version_of_a_live_page_is_restored_as_a_draft(admin_client_with_otp):
    article = make_article(title="Good title", body="Good text.\n")
    first = article.history.earliest()
    article.title = "Mistaken title"
    article.body = "Mistake.\n"
    article.save()

    restore_url = f"{CHANGELIST}{article.pk}/history/{first.history_id}/"
    page = admin_client_with_otp.get(restore_url)
    assert page.status_code == 200
    response = admin_client_with_otp.post(restore_url, form_data(first.instance, slug=article.slug))

    assert response.status_code == 302
    article.refresh_from_db()
    # Readers keep the live page until the restored words are published (or reviewed).
    assert article.title == "Mistaken title"
    assert article.draft["title"] == "Good title"
    assert "Good text." in article.with_draft().body_html
    assert article.history.count() == 3


def test_new_articles_start_as_drafts(admin_client_with_otp):
    html = admin_client_with_otp.get(f"{CHANGELIST}add/").content.decode()
    assert '<option value="draft" selected>' in html


def test_editor_without_a_second_factor_is_sent_to_log_in(client):
    user, _ = make_staff("nofactor", superuser=True, with_device=False)
    client.force_login(user)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert Article.objects.count() == 0
