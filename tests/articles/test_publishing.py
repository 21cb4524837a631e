"""Scheduling, slug changes, removal, revision preview and page-cache freshness."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone

from clinic_site.articles.models import Article, Status
from tests.factories import make_article, make_staff

pytestmark = pytest.mark.django_db


def editor(client):
    user, _ = make_staff("editor")
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    client.force_login(user)
    return user


def test_scheduled_article_is_hidden_before_its_time_and_listed_after(client):
    article = make_article(title="Coming soon", published_at=timezone.now() + timedelta(hours=2))

    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Coming soon" not in client.get("/articles/").content.decode()
    assert article.get_absolute_url() not in client.get("/sitemap.xml").content.decode()

    # Time passes: no save, no cron job.
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    assert client.get(article.get_absolute_url()).status_code == 200
    assert "Coming soon" in client.get("/articles/").content.decode()
    assert article.get_absolute_url() in client.get("/sitemap.xml").content.decode()


def test_cached_list_refreshes_by_itself_when_a_scheduled_article_goes_live(client):
    soon = timezone.now() + timedelta(seconds=30)
    make_article(title="Scheduled page", published_at=soon)
    assert "Scheduled page" not in client.get("/articles/").content.decode()  # now cached

    with time_machine.travel(soon + timedelta(seconds=5), tick=False):
        assert "Scheduled page" in client.get("/articles/").content.decode()


def test_an_edit_shows_up_immediately_on_cached_pages(client):
    article = make_article(title="Before", body="Old text.\n")
    client.get(article.get_absolute_url())
    client.get("/")

    article.title = "After"
    article.body = "New text.\n"
    article.save()

    page = client.get(article.get_absolute_url()).content.decode()
    assert "After" in page and "New text." in page
    assert "After" in client.get("/").content.decode()


def test_unpublishing_removes_the_page_from_cached_pages_and_sitemap(client):
    article = make_article(title="Withdrawn page")
    client.get("/articles/")
    client.get("/sitemap.xml")

    article.status = Status.DRAFT
    article.save()

    assert client.get(article.get_absolute_url()).status_code == 410
    assert "Withdrawn page" not in client.get("/articles/").content.decode()
    assert article.get_absolute_url() not in client.get("/sitemap.xml").content.decode()


def test_a_changed_slug_redirects_permanently_from_the_old_address(client):
    article = make_article(slug="old-address")
    article.slug = "new-address"
    article.save()

    response = client.get("/articles/old-address/")

    assert response.status_code == 301
    assert response["Location"] == "/articles/new-address/"
    assert client.get("/articles/new-address/").status_code == 200


def test_two_slug_changes_both_redirect_to_the_current_address(client):
    article = make_article(slug="first")
    article.slug = "second"
    article.save()
    article.slug = "third"
    article.save()

    assert client.get("/articles/first/")["Location"] == "/articles/third/"
    assert client.get("/articles/second/")["Location"] == "/articles/third/"


def test_a_deleted_article_answers_gone(client):
    article = make_article(slug="removed-page")
    article.delete()

    response = client.get("/articles/removed-page/")

    assert response.status_code == 410
    assert "This page has been removed" in response.content.decode()


def test_a_bulk_deleted_article_answers_gone_too(client):
    make_article(slug="bulk-removed")
    Article.objects.filter(slug="bulk-removed").delete()

    assert client.get("/articles/bulk-removed/").status_code == 410


def test_a_draft_that_was_never_public_is_simply_not_found(client):
    draft = make_article(status=Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_staff_preview_an_earlier_version_as_the_public_would_see_it(client):
    article = make_article(title="First title", body="First body.\n")
    first = article.history.earliest()
    article.title = "Second title"
    article.save()
    editor(client)

    response = client.get(f"/articles/{article.slug}/revisions/{first.history_id}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>First title</h1>" in html and "First body." in html
    assert "noindex" in html
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )


def test_the_public_cannot_see_revision_previews(client):
    article = make_article()
    record = article.history.earliest()

    assert client.get(f"/articles/{article.slug}/revisions/{record.history_id}/").status_code == 404


def test_a_cached_page_is_not_served_to_previewing_staff(client):
    article = make_article(title="Public title")
    client.get(article.get_absolute_url())  # cached for the public
    Article.objects.filter(pk=article.pk).update(title="Changed quietly")
    editor(client)

    assert "Changed quietly" in client.get(article.get_absolute_url()).content.decode()


def test_a_cached_article_page_costs_no_queries(client, django_assert_num_queries, settings):
    # Within one version check: on a loaded machine a second can pass between requests.
    settings.PAGE_CACHE_CHECK_SECONDS = 60
    article = make_article()
    client.get(article.get_absolute_url())

    with django_assert_num_queries(0):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200


def test_unchanged_page_answers_304_to_a_conditional_get(client):
    article = make_article()
    first = client.get(article.get_absolute_url())
    etag = first["ETag"]

    again = client.get(article.get_absolute_url(), headers={"if-none-match": etag})

    assert again.status_code == 304


def test_pages_are_compressed_for_browsers_that_accept_gzip(client):
    article = make_article(body="Words. " * 400)

    response = client.get(article.get_absolute_url(), headers={"accept-encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"


def test_a_cached_page_is_replayed_with_its_security_headers_and_compression(client):
    article = make_article(body="Words. " * 400)
    first = client.get(article.get_absolute_url(), headers={"accept-encoding": "gzip"})

    again = client.get(article.get_absolute_url(), headers={"accept-encoding": "gzip"})

    assert again.content == first.content
    for header in ("Content-Encoding", "Content-Security-Policy", "X-Frame-Options", "ETag"):
        assert again[header] == first[header], header


def test_a_cached_page_answers_304_to_a_matching_etag(client, django_assert_num_queries, settings):
    settings.PAGE_CACHE_CHECK_SECONDS = 60  # as above
    article = make_article()
    etag = client.get(article.get_absolute_url())["ETag"]

    with django_assert_num_queries(0):
        response = client.get(article.get_absolute_url(), headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response.content == b""


def test_visitors_with_a_session_never_get_the_shared_cached_copy(client, settings):
    article = make_article(title="Public title")
    client.get(article.get_absolute_url())
    Article.objects.filter(pk=article.pk).update(title="Changed quietly")  # no refresh
    client.cookies[settings.SESSION_COOKIE_NAME] = "anything"

    assert "Changed quietly" in client.get(article.get_absolute_url()).content.decode()
