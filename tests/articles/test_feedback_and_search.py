"""Readers' feedback and search."""

import pytest
from django.test import Client

from clinic_site.articles.models import Feedback, Status
from clinic_site.articles.search import clean_query, search_articles
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_article_page_has_a_feedback_form_that_works_without_javascript(client):
    article = make_article()

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Was this page helpful?" in html
    assert f'action="/articles/{article.slug}/feedback/"' in html
    assert 'name="helpful" value="yes"' in html


def test_feedback_is_stored_and_thanked(client):
    article = make_article()

    response = client.post(
        f"/articles/{article.slug}/feedback/", {"helpful": "no", "comment": "Say more on cost."}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/articles/{article.slug}/feedback/thanks/"
    feedback = Feedback.objects.get()
    assert feedback.article == article and feedback.helpful is False
    assert feedback.comment == "Say more on cost."
    assert "Thank you" in client.get(response["Location"]).content.decode()


def test_feedback_without_an_answer_gets_a_clear_error_and_stores_nothing(client):
    article = make_article()

    response = client.post(f"/articles/{article.slug}/feedback/", {"comment": "x" * 600})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose yes or no." in html
    assert "under 500 characters" in html
    assert Feedback.objects.count() == 0


def test_feedback_with_control_characters_is_refused(client):
    article = make_article()
    response = client.post(
        f"/articles/{article.slug}/feedback/", {"helpful": "yes", "comment": "a\x00b"}
    )
    assert response.status_code == 400
    assert Feedback.objects.count() == 0


def test_feedback_is_rate_limited_per_client(client, settings):
    settings.FEEDBACK_RATE_LIMIT = 2
    article = make_article()
    url = f"/articles/{article.slug}/feedback/"

    statuses = [client.post(url, {"helpful": "yes"}).status_code for _ in range(4)]

    assert statuses == [302, 302, 429, 429]
    assert Feedback.objects.count() == 2
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post(url, {"helpful": "yes"}).status_code == 302


def test_feedback_on_a_draft_is_not_accepted(client):
    draft = make_article(status=Status.DRAFT)
    assert client.post(f"/articles/{draft.slug}/feedback/", {"helpful": "yes"}).status_code == 404


def test_feedback_works_without_a_csrf_token_so_article_pages_stay_cacheable():
    article = make_article()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(f"/articles/{article.slug}/feedback/", {"helpful": "yes"})
    assert response.status_code == 302


def test_search_finds_words_in_title_summary_and_body_and_ranks_title_first():
    in_body = make_article(title="Your appointment", body="Tell us about your nausea.\n")
    in_title = make_article(title="Nausea after an infusion", body="Some text.\n")
    make_article(title="Unrelated", body="Nothing here.\n")

    results = search_articles("nausea")

    assert [r.article for r in results] == [in_title, in_body]
    assert "<mark>Nausea</mark>" in results[0].title


def test_search_highlights_and_escapes_the_snippet():
    make_article(title="Page", body="Some <b>bold</b> side effects text.\n")

    (result,) = search_articles("side effects")

    assert "<mark>side</mark>" in result.snippet
    assert "<b>" not in result.snippet


def test_search_ignores_drafts():
    make_article(title="Draft about driving", status=Status.DRAFT)
    assert search_articles("driving") == []


@pytest.mark.parametrize("query", ["", "   ", "!!!", "<script>", "zzzxqj"])
def test_empty_and_nonsense_queries_are_handled_gracefully(client, query):
    make_article(title="Side effects")

    response = client.get("/articles/search/", {"q": query})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html.split("<main", 1)[1]
    assert "No results" in html or "Type a word" in html


def test_search_page_shows_results_and_is_not_stored_by_browsers(client):
    make_article(title="Driving home after an infusion")

    response = client.get("/articles/search/", {"q": "driving"})

    html = response.content.decode()
    assert "1 result" in html and "<mark>Driving</mark>" in html
    assert response["Cache-Control"] == "no-store"


def test_a_very_long_query_is_cut_short():
    assert len(clean_query("word " * 100)) <= 100
    assert clean_query("a\x00b; DROP TABLE") == "a b DROP TABLE"


def test_a_search_for_words_no_article_holds_finds_nothing(client):
    make_article(title="How infusions work", body="Ketamine infusions explained.")

    assert search_articles("parking garage hours 100") == []
    assert [result.article.title for result in search_articles("infusions")] == [
        "How infusions work"
    ]
