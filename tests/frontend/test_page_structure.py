"""The page skeleton every visitor relies on: one h1, a skip link, landmarks, visible
focus, a print stylesheet for articles, and an icon that never 404s."""

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

from .conftest import PHONE, give_back, open_tab
from .document import Document
from .pages import ARTICLE_SLUGS, ENGLISH_PAGES


@pytest.mark.django_db
def test_every_page_has_one_h1_a_skip_link_and_landmarks(client, content):
    for path in ENGLISH_PAGES:
        doc = Document(client.get(path).content.decode())
        assert len(doc.all("h1")) == 1, path
        first_link = next(attributes for tag, attributes in doc.tags if tag == "a")
        assert first_link == {"class": "skip-link", "href": "#main"}, path
        assert len(doc.all("main", id="main")) == 1, path
        assert len(doc.all("header", **{"class": "site-header"})) == 1, path
        assert len(doc.all("nav", **{"aria-label": "Main"})) == 1, path
        assert len(doc.all("footer", **{"class": "site-footer"})) == 1, path
        assert len(doc.all("aside", id="urgent-help")) == 1, path
        assert doc.all("html", lang="en"), path


@pytest.mark.django_db
def test_article_pages_carry_their_reading_aids(client, content):
    for slug in ARTICLE_SLUGS:
        html = client.get(f"/articles/{slug}/").content.decode()
        doc = Document(html)
        assert doc.all("nav", **{"aria-label": "Breadcrumb"}), slug
        assert doc.all("nav", **{"aria-labelledby": "toc-title"}), slug  # all are long
        assert " min read" in html, slug
        # Same-topic articles, or others when an article is alone in its topic (the FAQ).
        assert doc.all("section", **{"aria-labelledby": "related-title"}), slug
        assert doc.all("section", **{"aria-labelledby": "cta-title"}), slug
        assert doc.all("link", rel="stylesheet", media="print"), slug


@pytest.mark.django_db
def test_browsers_asking_for_favicon_ico_get_the_site_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"].endswith("/static/img/favicon.svg")
    assert finders.find("img/favicon.svg")


def test_staff_pages_name_the_site_icon_as_public_pages_do(admin_client_with_otp):
    # So staff tabs show the clinic's icon, and no browser asks for /favicon.ico after
    # every staff page (a request that also saves the session each time).
    pages = {
        "login": Client().get(reverse("admin:login")),
        "index": admin_client_with_otp.get(reverse("admin:index")),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        icons = [
            link["href"] for link in Document(response.content.decode()).all("link", rel="icon")
        ]
        assert icons == [static("img/favicon.svg")], name


@pytest.mark.browser
def test_keyboard_user_skips_to_the_content_and_sees_where_focus_is(site, browser):
    page = open_tab(browser, PHONE)
    page.goto(site + "/articles/how-ketamine-infusion-works/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0 and box["height"] >= 24, box
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.keyboard.press("Tab")  # the first link inside the content: a breadcrumb
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth), s.boxShadow]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2 and outline[2] != "none", outline
    give_back(page)


@pytest.mark.browser
def test_a_printed_article_is_the_article_without_navigation_or_forms(site, browser):
    page = open_tab(browser, PHONE)
    page.goto(site + "/articles/how-ketamine-infusion-works/")

    page.emulate_media(media="print")

    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_text("not medical advice").first.is_visible()
    assert page.get_by_text("call or text 988").first.is_visible()
    for hidden in [".site-header nav", ".breadcrumbs", ".feedback", ".cta", ".related"]:
        assert page.locator(hidden).is_hidden(), hidden
    page.emulate_media(media="screen")
    assert page.locator(".site-header nav").is_visible()
    give_back(page)


@pytest.mark.django_db
def test_contact_form_fields_have_labels_types_and_autocomplete(client):
    doc = Document(client.get("/contact/").content.decode())
    inputs = {attributes.get("name"): attributes for attributes in doc.all("input")}
    labelled = {label["for"] for label in doc.all("label")}

    assert (inputs["name"]["type"], inputs["name"]["autocomplete"]) == ("text", "name")
    assert (inputs["email"]["type"], inputs["email"]["autocomplete"]) == ("email", "email")
    assert (inputs["phone"]["type"], inputs["phone"]["autocomplete"]) == ("tel", "tel")
    for attributes in [*doc.all("input"), *doc.all("textarea")]:
        if attributes.get("type") not in ("hidden",):
            assert attributes["id"] in labelled, attributes
    # Hints are read out with their field.
    assert "id_email_helptext" in inputs["email"]["aria-describedby"]
    # The browser's own validation would pop up unstyled, unannounced bubbles instead of
    # the error summary: the form turns it off.
    assert doc.all("form", method="post", novalidate="")
