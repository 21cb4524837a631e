"""Clinical review in a real browser (chromium): the sign-off names the words on screen,
an editor's change to a reviewed page waits for a reviewer, "Request changes" reaches
the editor, and the editor is warned before leaving unsaved changes.

Screenshots go to test-artifacts/screenshots/ (git-ignored).
"""

import pytest
from django.contrib.auth import get_user_model

from clinic_site.articles import workflow
from clinic_site.articles.models import Article
from tests.factories import make_reviewer

from .conftest import hand_session_to
from .test_browser_flows import Visit
from .test_editor_flows import (  # noqa: F401 - closing is a fixture
    SLUG,
    closing,
    editor_visit,
    open_article,
    type_into_body,
)

pytestmark = pytest.mark.browser

ALCOHOL = "It is safe to combine ketamine with alcohol."


def reviewer_visit(browser, site, closing, name="Dr A. Example"):  # noqa: F811
    user, _token = make_reviewer("drexample", display_name=name, credentials="MD")
    visit = Visit(browser, site, "desktop", "reviewer")
    closing(visit)
    hand_session_to(visit.page, site, "drexample")
    return visit, user


def reader_sees(browser, site, closing, text: str) -> bool:  # noqa: F811
    reader = Visit(browser, site, "phone", "reader")
    closing(reader)
    reader.page.goto(f"{site}/articles/{SLUG}/")
    return reader.page.get_by_text(text).count() > 0


def test_a_sign_off_of_words_changed_while_reading_is_refused(browser, site, closing):  # noqa: F811
    reviewer, _user = reviewer_visit(browser, site, closing)
    article = open_article(reviewer)
    reviewer.page.get_by_role("link", name="Sign off this version").click()
    reviewer.page.wait_for_load_state()

    # While the reviewer reads, an editor publishes a dangerous sentence.
    editor = editor_visit(browser, site)
    closing(editor)
    open_article(editor)
    type_into_body(editor, "\n\n" + ALCOHOL + "\n")
    editor.page.get_by_role("button", name="Publish changes").click()
    editor.page.wait_for_load_state()

    reviewer.page.get_by_role("button", name="Sign off this version").click()
    reviewer.page.wait_for_load_state()

    assert reviewer.page.get_by_text("This page changed while you were reading").is_visible()
    assert reviewer.page.locator(".word-diff ins", has_text="alcohol").count() == 1
    reviewer.screenshot("changed-while-reading")
    # The refusal is answered 409 Conflict, which the browser logs: that one is expected.
    reviewer.problems = [p for p in reviewer.problems if "409 (Conflict)" not in p]
    article.refresh_from_db()
    assert not article.is_reviewed
    assert not reader_sees(browser, site, closing, "Reviewed by")


def test_a_change_to_a_reviewed_page_reaches_readers_once_a_reviewer_approves_it(
    browser,
    site,
    closing,  # noqa: F811
):
    reviewer, user = reviewer_visit(browser, site, closing)
    article = Article.objects.get(slug=SLUG)
    workflow.sign_off(article=article, reviewer=user)

    editor = editor_visit(browser, site)
    closing(editor)
    open_article(editor)
    assert editor.page.get_by_role("button", name="Publish changes").count() == 0
    type_into_body(editor, "\n\nMost people feel **steady** within two hours.\n")
    editor.page.get_by_role("button", name="Submit for clinical review").click()
    editor.page.wait_for_load_state()
    assert "Submitted for clinical review" in editor.page.locator(".messagelist").inner_text()
    editor.screenshot("submitted")
    assert not reader_sees(browser, site, closing, "within two hours")
    assert reader_sees(browser, site, closing, "Reviewed by Dr A. Example, MD")

    reviewer.page.goto(f"{site}/admin/articles/article/review-queue/")
    reviewer.page.get_by_role("link", name=article.title).click()
    reviewer.page.wait_for_load_state()
    added = reviewer.page.locator(".word-diff ins", has_text="steady")
    assert added.count() == 1 and "**" not in added.inner_text()  # rendered words
    reviewer.screenshot("review")
    reviewer.page.get_by_role("button", name="Approve and publish").click()
    reviewer.page.wait_for_load_state()

    assert reader_sees(browser, site, closing, "within two hours")
    assert reader_sees(browser, site, closing, "Reviewed by Dr A. Example, MD")


def test_request_changes_shows_the_comment_to_the_editor(browser, site, closing):  # noqa: F811
    reviewer, user = reviewer_visit(browser, site, closing)
    article = Article.objects.get(slug=SLUG)
    workflow.sign_off(article=article, reviewer=user)
    values = {name: getattr(article, name) for name in ("title", "summary", "topic", "order")}
    workflow.save_draft(
        article=article,
        values={
            **values,
            "body": article.body + "\nA cure for everyone.\n",
            "sources": article.sources,
            "crisis_note": article.crisis_note,
        },
    )
    editor = editor_visit(browser, site)
    closing(editor)
    workflow.submit_for_review(
        article=article, user=get_user_model().objects.get(username="editor")
    )

    reviewer.page.goto(f"{site}/admin/articles/article/{article.pk}/review/")
    reviewer.page.get_by_label("What needs to change").fill("Please do not promise a cure.")
    reviewer.page.get_by_role("button", name="Request changes").click()
    reviewer.page.wait_for_load_state()

    open_article(editor)
    assert editor.page.get_by_text("Please do not promise a cure.").is_visible()
    assert editor.page.get_by_text("Changes requested").first.is_visible()
    editor.screenshot("changes-requested")


def test_leaving_the_editor_with_unsaved_changes_asks_first(browser, site, closing):  # noqa: F811
    editor = editor_visit(browser, site)
    closing(editor)
    open_article(editor)
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    editor.page.on("dialog", answer)
    editor.page.locator("input[name=title]").fill("An unsaved title")
    editor.page.close(run_before_unload=True)
    editor.page.wait_for_timeout(500)

    assert asked == ["beforeunload"]


def test_two_editors_saving_on_top_of_each_other_lose_nothing(browser, site, closing):  # noqa: F811
    first = editor_visit(browser, site)
    closing(first)
    article = open_article(first)
    second = editor_visit(browser, site, username="second-editor")
    closing(second)
    open_article(second)
    assert second.page.get_by_text("Being edited by editor since").is_visible()

    type_into_body(first, "\n\nThe first editor's sentence.\n")
    first.page.get_by_role("button", name="Publish changes").click()
    first.page.wait_for_load_state()
    type_into_body(second, "\n\nThe second editor's sentence.\n")
    second.page.get_by_role("button", name="Publish changes").click()
    second.page.wait_for_load_state()

    assert second.page.get_by_text("Someone else saved this article").is_visible()
    assert second.page.locator(".word-diff ins", has_text="first editor").count() == 1
    second.screenshot("saved-by-someone-else")
    article.refresh_from_db()
    assert "The first editor's sentence." in article.body
    assert "The second editor's sentence." not in article.body


def test_the_checks_flag_an_avoided_word_in_a_draft_before_it_is_published(
    browser,
    site,
    closing,  # noqa: F811
):
    editor = editor_visit(browser, site)
    closing(editor)
    open_article(editor)
    type_into_body(editor, "\n\nA guaranteed result for everyone.\n")
    editor.page.get_by_role("button", name="Save as draft").click()
    editor.page.wait_for_load_state()

    checks = editor.page.locator(".field-quality").inner_text()
    assert "Words the clinic avoids: guaranteed" in checks
    assert not reader_sees(browser, site, closing, "A guaranteed result")
