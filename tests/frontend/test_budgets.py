"""Performance and privacy budgets, measured rather than eyeballed.

- An article page's HTML plus its CSS stays under 30 KB compressed.
- Images declare their size, so nothing shifts as they load.
- No page runs or needs JavaScript: the only scripts are JSON-LD data blocks, and an
  article can be read and the contact form sent with JavaScript turned off.
- Nothing is loaded from another origin (no fonts, analytics, CDNs or embeds).
"""

import gzip
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from clinic_site.articles.images import PHONE_WIDTH
from tests.factories import CONTACT_URL, make_article

from .conftest import PHONE, give_back, open_tab
from .document import Document
from .pages import (
    ARTICLE_SLUGS,
    ENGLISH_PAGES,
    SPANISH_SLUGS,
    fill_contact_form,
    submit_contact_form,
)

BUDGET_BYTES = 30 * 1024
PAGES = [
    *ENGLISH_PAGES,
    "/es/",
    *[f"/es/articles/{slug}/" for slug in SPANISH_SLUGS],
    "/es/contact/",
]


def gzipped_size(data: bytes) -> int:
    # Level 6 is what Django's GZipMiddleware uses; WhiteNoise compresses CSS harder.
    return len(gzip.compress(data, compresslevel=6))


def stylesheets(doc: Document) -> list[Path]:
    """The files behind the page's <link rel=stylesheet> elements (print ones too)."""
    return [
        Path(finders.find(link["href"].removeprefix(settings.STATIC_URL)))
        for link in doc.all("link", rel="stylesheet")
    ]


def html_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code in (200, 404), path
    return response.content.decode()


ARTICLE_PAGES = [f"/articles/{slug}/" for slug in ARTICLE_SLUGS] + [
    f"/es/articles/{slug}/" for slug in SPANISH_SLUGS
]


@pytest.mark.django_db
def test_every_article_html_and_css_fit_in_30_kb_compressed(client, content):
    # One import of the shipped articles, every article page measured against it.
    sizes = {}
    for path in ARTICLE_PAGES:
        html = client.get(path).content
        css = stylesheets(Document(html.decode()))
        assert css, f"{path}: no stylesheet found"
        sizes[path] = gzipped_size(html) + sum(gzipped_size(file.read_bytes()) for file in css)

    assert len(sizes) == len(ARTICLE_SLUGS) + len(SPANISH_SLUGS) > 2
    over = {
        path: f"{total} bytes compressed" for path, total in sizes.items() if total >= BUDGET_BYTES
    }
    assert over == {}


@pytest.mark.django_db
def test_every_image_declares_its_size(client, content):
    # The shipped articles have no images yet: add one uploaded the editor's way, whose
    # stored name carries its size, and check it and every other image on the pages.
    make_article(
        slug="with-picture",
        body="Intro.\n\n![A quiet treatment room](/media/articles/"
        f"{'a' * 32}_1200x800.jpg)\n\n## Section\n\nText.",
    )
    [picture] = Document(html_of(client, "/articles/with-picture/")).all("img")
    images = [(path, img) for path in PAGES for img in Document(html_of(client, path)).all("img")]

    for path, img in [*images, ("/articles/with-picture/", picture)]:
        assert img.get("width", "").isdigit() and img.get("height", "").isdigit(), (path, img)
        assert img.get("alt", "").strip(), (path, img)
    assert (picture["width"], picture["height"]) == ("1200", "800")
    assert f"-{PHONE_WIDTH}.jpg {PHONE_WIDTH}w" in picture["srcset"]


@pytest.mark.django_db
def test_pages_contain_no_script_but_structured_data(client, content):
    for path in PAGES:
        html = html_of(client, path)
        doc = Document(html)
        for attributes, _text in doc.scripts:
            assert attributes == {"type": "application/ld+json"}, (path, attributes)
        # The CSP allows no inline style or script either: no style elements or
        # attributes and no event handler attributes.
        assert doc.all("style") == [], path
        for tag, attributes in doc.tags:
            assert "style" not in attributes, (path, tag)
            assert not any(name.startswith("on") for name in attributes), (path, tag)
            assert not attributes.get("href", "").startswith("javascript:"), (path, tag)


@pytest.mark.django_db
def test_nothing_is_loaded_from_another_origin(client, content):
    for path in PAGES:
        doc = Document(html_of(client, path))
        fetched = [
            attributes.get(name, "")
            for tag, attributes in doc.tags
            for name in ("src", "srcset", "poster", "data", "action")
            if name in attributes
        ] + [
            link["href"]
            for link in doc.all("link")
            # Addresses of this page, not fetched: itself and its other-language version.
            if link.get("rel") not in ("canonical", "alternate")
        ]
        for url in fetched:
            for candidate in re.split(r",\s*", url):
                parts = urlsplit(candidate.split(" ")[0])
                assert not parts.netloc and parts.scheme in ("", "data"), (path, url)
        assert doc.all("iframe") == [] and doc.all("object") == [] and doc.all("embed") == []


@pytest.mark.browser
def test_an_article_reads_and_navigates_without_javascript(site, browser):
    page = open_tab(browser, PHONE, java_script_enabled=False)
    page.goto(site + "/articles/how-ketamine-infusion-works/")

    toc = page.get_by_role("navigation", name="On this page")
    toc.get_by_role("link", name="How an infusion is given").click()

    assert page.url.endswith("#how-an-infusion-is-given")
    assert page.get_by_role("heading", name="How an infusion is given").is_visible()
    give_back(page)


@pytest.mark.browser
def test_the_contact_form_is_sent_without_javascript(site, browser):
    from clinic_site.intake.models import ContactRequest

    page = open_tab(browser, PHONE, java_script_enabled=False)
    page.goto(site + CONTACT_URL)
    fill_contact_form(page)

    response = submit_contact_form(page)

    assert response.url.endswith("/contact/thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you: we have your request"
    assert ContactRequest.objects.filter(email="alex@example.com").count() == 1
    give_back(page)
