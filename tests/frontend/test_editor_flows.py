"""Editors and clinical reviewers in a real browser (chromium), under the site's CSP.

- An editor changes a live article as a draft while an anonymous reader still sees the
  live text, then publishes the changes and the reader sees the new text.
- An editor uploads a valid image (its Markdown is inserted) and an invalid one (the
  server's message appears beside the editor; the text is unchanged).
- The preview sits beside the text on a wide screen and below it on a phone.
- An editor restores an earlier version and reads the history entry.
- A clinical reviewer signs off and the public page shows it; an editor cannot.

Screenshots go to test-artifacts/screenshots/ (git-ignored); scripts/editing_screenshots.py
uses the same steps for docs/editing.md.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import expect

from clinic_site.accounts.roles import EDITOR
from clinic_site.articles.models import Article
from tests.factories import make_reviewer, make_staff
from tests.helpers import STAFF_PASSWORD

from .conftest import hand_session_to
from .test_browser_flows import Visit

pytestmark = pytest.mark.browser

SLUG = "how-ketamine-infusion-works"


def log_in(visit: Visit, username: str, token) -> None:
    page = visit.page
    page.goto(visit.site + "/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.locator("input[name=otp_token]").fill(token())
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(visit.site + "/admin/")


def type_into_body(visit: Visit, text: str) -> None:
    """Add text to the article and wait for the live preview of it (sent about half a
    second after typing): leaving the page while that request is being sent cuts its
    body short, which the server answers 400 and the browser logs."""
    page = visit.page
    page.wait_for_load_state("networkidle")  # the preview of the page as opened
    body = page.locator("textarea[name=body]")
    with page.expect_response(lambda response: "/editor/markdownify/" in response.url):
        body.fill(body.input_value() + text)


def editor_visit(browser, site, viewport="desktop", username="editor") -> Visit:
    """A tab in which a new editor is logged in (the form is tested in the reviewer's
    sign-off below)."""
    call_command("setup_roles", stdout=io.StringIO())
    make_staff(username, groups=[EDITOR])
    visit = Visit(browser, site, viewport, username)
    hand_session_to(visit.page, site, username)
    return visit


def open_article(visit: Visit) -> Article:
    """Open the article in the editor, and wait for the preview the editor asks for as it
    opens. The test's own database writes share the live server's connection (SQLite in
    memory); made while that request was being answered (a second editor being set up),
    they made the server answer it 400 about one run in two."""
    article = Article.objects.get(slug=SLUG)
    visit.page.goto(f"{visit.site}/admin/articles/article/{article.pk}/change/")
    visit.page.wait_for_load_state("networkidle")
    return article


@pytest.fixture
def closing():
    visits = []
    yield visits.append
    for visit in visits:
        visit.close()


def test_editor_drafts_changes_to_a_live_article_then_publishes_them(browser, site, closing):
    editor = editor_visit(browser, site)
    closing(editor)
    reader = Visit(browser, site, "phone", "reader-during-draft")
    closing(reader)
    article = open_article(editor)
    page = editor.page
    type_into_body(editor, "\n\nA sentence added in a draft.\n")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    assert "Saved as a draft" in page.locator(".messagelist").inner_text()
    editor.screenshot("draft-saved")

    reader.page.goto(f"{site}/articles/{SLUG}/")
    assert "A sentence added in a draft." not in reader.page.content()

    page.get_by_role("link", name="Preview the changes").click()
    assert "A sentence added in a draft." in page.content()
    assert page.get_by_text("Preview of unpublished changes").is_visible()
    page.go_back()

    page.get_by_role("button", name="Publish changes").click()
    page.wait_for_load_state()
    reader.page.goto(f"{site}/articles/{SLUG}/")
    assert "A sentence added in a draft." in reader.page.content()
    article.refresh_from_db()
    assert article.draft is None


def png(path: Path) -> Path:
    Image.new("RGB", (60, 40), "teal").save(path, format="PNG")
    return path


def test_editor_uploads_a_valid_and_an_invalid_image(browser, site, closing, tmp_path):
    editor = editor_visit(browser, site)
    closing(editor)
    open_article(editor)
    page = editor.page
    body = page.locator("textarea[name=body]")
    before = body.input_value()
    gif = tmp_path / "animation.gif"
    Image.new("RGB", (10, 10), "red").save(gif, format="GIF")

    page.locator(".editor-tools input[type=file]").set_input_files(str(gif))

    problem = page.locator(".editor-problem")
    problem.wait_for(state="visible")
    assert problem.get_attribute("role") == "alert"
    assert "not a PNG, JPEG or WebP image" in problem.inner_text()
    assert "has not been changed" in problem.inner_text()
    assert body.input_value() == before
    editor.screenshot("upload-refused")
    # The browser logs the refusal (400) as a failed load: that answer is the point here.
    editor.problems = [p for p in editor.problems if "/editor/upload/" not in p]

    assert page.get_by_role("button", name="Upload image").is_visible()
    page.locator(".editor-tools input[type=file]").set_input_files(str(png(tmp_path / "a.png")))
    # expect() polls from Playwright's own script world: a string wait_for_function
    # would be eval'd in the page, which its CSP (rightly) refuses.
    expect(body).to_have_value(re.compile(r"/media/articles/"))
    assert "![Describe the image here](/media/articles/" in body.input_value()
    assert problem.is_hidden()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_preview_sits_beside_the_text_on_wide_screens_and_below_on_phones(
    browser, site, closing, viewport
):
    editor = editor_visit(browser, site, viewport)
    closing(editor)
    open_article(editor)
    page = editor.page
    text = page.locator("textarea[name=body]").bounding_box()
    preview = page.locator(".markdownx-preview").bounding_box()

    if viewport == "desktop":
        assert preview["x"] >= text["x"] + text["width"] - 1
        assert abs(preview["y"] - text["y"]) < 5
    else:
        assert preview["y"] >= text["y"] + text["height"] - 1
    editor.screenshot("editor")


def test_editor_restores_a_version_and_reads_the_history_entry(browser, site, closing):
    editor = editor_visit(browser, site)
    closing(editor)
    article = open_article(editor)
    page = editor.page
    page.locator("input[name=title]").fill("A mistaken title")
    page.get_by_role("button", name="Publish changes").click()
    page.wait_for_load_state()

    page.goto(f"{site}/admin/articles/article/{article.pk}/history/")
    page.get_by_role("link", name="Version 1").click()
    page.get_by_role("button", name="Restore this version").first.click()
    page.wait_for_load_state()
    page.goto(f"{site}/admin/articles/article/{article.pk}/history/")

    rows = page.locator("#change-history tbody tr")
    newest = rows.first.inner_text()  # newest first
    assert "Version 3" in newest and "Restored the version of" in newest and "editor" in newest
    # The old words come back as a draft: readers keep the live page until it is published.
    article.refresh_from_db()
    assert article.title == "A mistaken title"
    assert article.draft["title"] == "How ketamine infusion therapy works"
    editor.screenshot("history")


def test_a_clinical_reviewer_signs_off_and_an_editor_cannot(browser, site, closing):
    editor = editor_visit(browser, site)
    closing(editor)
    article = open_article(editor)
    assert editor.page.get_by_role("link", name="Sign off this version").count() == 0
    response = editor.page.goto(f"{site}/admin/articles/article/{article.pk}/sign-off/")
    assert response.status == 403
    editor.problems = [p for p in editor.problems if "/sign-off/" not in p]  # that 403

    _reviewer, token = make_reviewer("drexample", display_name="Dr A. Example", credentials="MD")
    reviewer = Visit(browser, site, "desktop", "reviewer")
    closing(reviewer)
    log_in(reviewer, "drexample", token)
    assert "Clinical reviews" in reviewer.page.content()
    reviewer.screenshot("admin-home")
    open_article(reviewer)
    reviewer.page.get_by_role("link", name="Sign off this version").click()
    reviewer.screenshot("sign-off")
    reviewer.page.get_by_role("button", name="Sign off this version").click()
    reviewer.page.wait_for_load_state()

    reader = Visit(browser, site, "phone", "reader-after-sign-off")
    closing(reader)
    reader.page.goto(f"{site}/articles/{SLUG}/")
    assert reader.page.get_by_text("Reviewed by Dr A. Example, MD on").is_visible()
    reader.screenshot("signed-off")
