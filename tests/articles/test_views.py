"""What readers (and previewing staff) see on the article pages."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic_site.articles.models import Status, Topic
from clinic_site.articles.workflow import sign_off
from tests.factories import make_article, make_reviewer, make_staff
from tests.helpers import assert_says

pytestmark = pytest.mark.django_db

LONG_BODY = "Intro.\n\n" + "\n\n".join(f"## Part {n}\n\nText {n}." for n in range(1, 5))


def editor_user():
    user, _ = make_staff("editor")
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    return user


def test_article_page_shows_title_summary_body_and_disclaimer(client):
    article = make_article(title="How it works", summary="A plain summary.", body=LONG_BODY)

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert_says(
        response.content.decode(),
        "<h1>How it works</h1>",
        '<meta name="description" content="A plain summary.">',
        '<h2 id="part-1">Part 1</h2>',
        "not medical advice",
        "Send us a contact request",
    )


def test_long_article_has_a_table_of_contents_and_short_one_does_not(client):
    long = make_article(body=LONG_BODY)
    short = make_article(body="Intro.\n\n## Only section\n\nText.")

    assert 'aria-labelledby="toc-title"' in client.get(long.get_absolute_url()).content.decode()
    assert (
        'aria-labelledby="toc-title"' not in client.get(short.get_absolute_url()).content.decode()
    )


def test_unreviewed_article_says_last_updated_not_reviewed(client):
    article = make_article()

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Last updated" in html
    assert "reviewed" not in html.lower().replace("next review", "")


def test_signed_off_article_shows_reviewer_and_date_but_never_a_review_due_date(client):
    article = make_article()
    reviewer, _ = make_reviewer(display_name="Dr Example Reviewer", credentials="MD")
    sign_off(article=article, reviewer=reviewer, today=timezone.localdate() - timedelta(days=10))

    html = client.get(article.get_absolute_url()).content.decode()

    reviewed_on = timezone.localdate() - timedelta(days=10)
    assert "Reviewed by Dr Example Reviewer, MD on" in html
    assert f"{reviewed_on:%B} {reviewed_on.day}, {reviewed_on.year}" in html
    assert "Next review" not in html and "Last updated" not in html


def test_related_articles_are_from_the_same_topic_and_published(client):
    article = make_article(topic=Topic.SAFETY)
    sibling = make_article(topic=Topic.SAFETY, title="Sibling page")
    make_article(topic=Topic.SAFETY, title="Hidden draft", status=Status.DRAFT)
    make_article(topic=Topic.VISIT, title="Other topic page")

    html = client.get(article.get_absolute_url()).content.decode()

    assert sibling.title in html
    assert "Hidden draft" not in html
    assert "Other topic page" not in html


def test_an_article_alone_in_its_topic_suggests_articles_from_other_topics(client):
    faq = make_article(topic=Topic.QUESTIONS, title="Common questions")
    other = make_article(topic=Topic.VISIT, title="Your first visit")

    html = client.get(faq.get_absolute_url()).content.decode()

    assert "Related articles" in html and other.title in html


def test_draft_article_is_hidden_from_the_public(client):
    draft = make_article(status=Status.DRAFT, title="Secret draft")

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Secret draft" not in client.get("/articles/").content.decode()
    assert "Secret draft" not in client.get("/").content.decode()


def test_scheduled_article_appears_when_its_time_comes(client):
    article = make_article(published_at=timezone.now() + timedelta(hours=1))
    assert client.get(article.get_absolute_url()).status_code == 404

    article.published_at = timezone.now() - timedelta(seconds=1)
    article.save()

    assert client.get(article.get_absolute_url()).status_code == 200


def test_staff_with_edit_permission_preview_a_draft_marked_noindex(client):
    draft = make_article(status=Status.DRAFT, title="Work in progress")
    client.force_login(editor_user())

    response = client.get(draft.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview: this page is a draft" in html
    assert '<meta name="robots" content="noindex">' in html


def test_staff_without_edit_permission_cannot_preview_drafts(client):
    draft = make_article(status=Status.DRAFT)
    client.force_login(make_staff("desk")[0])

    assert client.get(draft.get_absolute_url()).status_code == 404


def test_article_list_groups_published_articles_by_topic(client):
    make_article(topic=Topic.SAFETY, title="Misuse concerns")
    make_article(topic=Topic.TREATMENT, title="How it works")

    html = client.get("/articles/").content.decode()

    assert html.index("About the treatment") < html.index("How it works")
    assert html.index("Safety and risks") < html.index("Misuse concerns")
    assert html.index("About the treatment") < html.index("Safety and risks")
    assert "Your visit" not in html  # no empty topics


def test_home_page_lists_topics_and_a_way_to_contact(client):
    make_article(title="How it works")

    html = client.get("/").content.decode()

    assert "How it works" in html
    assert 'href="/contact/"' in html
    assert "Results vary from person to person" in html


def test_article_page_query_count_is_small_and_constant(client):
    article = make_article(topic=Topic.SAFETY)
    make_article(topic=Topic.SAFETY)
    cache.clear()  # measure the rendering path, not a cache hit
    with CaptureQueriesContext(connection) as few:
        client.get(article.get_absolute_url())
    for _ in range(20):
        make_article(topic=Topic.SAFETY)
    for _ in range(5):
        article.save()  # more history rows

    cache.clear()
    with CaptureQueriesContext(connection) as many:
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    # The version check, the article, its related articles, its translations.
    assert len(few) <= 4
    assert len(many) == len(few)


def test_sitemap_lists_every_published_article_with_lastmod(client):
    published = [make_article() for _ in range(3)]
    draft = make_article(status=Status.DRAFT)

    response = client.get("/sitemap.xml")

    xml = response.content.decode()
    assert response.status_code == 200
    for article in published:
        assert f"{article.get_absolute_url()}</loc>" in xml
    assert draft.get_absolute_url() not in xml
    assert xml.count("<lastmod>") >= 3
    assert "/contact/</loc>" in xml
