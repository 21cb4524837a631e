"""An article's sources: checked on import and in the admin, shown and cited on the page."""

import json
import re

import pytest
from django.forms import modelform_factory

from clinic_site.articles.admin import ArticleAdmin
from clinic_site.articles.importer import Outcome, import_content
from clinic_site.articles.models import Article, fingerprint
from tests.factories import make_article

pytestmark = pytest.mark.django_db

FDA = {
    "title": "An FDA safety communication",
    "publisher": "US Food and Drug Administration",
    "year": 2023,
    "url": "https://www.fda.gov/example-communication",
}
NIMH = {
    "title": "Depression",
    "publisher": "National Institute of Mental Health",
    "year": 2024,
    "url": "https://www.nimh.nih.gov/health/topics/depression",
}

FILE = """---
title: How long does relief last?
slug: how-long
summary: Relief varies from person to person.
topic: treatment
sources:
{sources}
---

Intro paragraph.
"""


def write(folder, sources_yaml: str):
    path = folder / "how-long.md"
    path.write_text(FILE.format(sources=sources_yaml), encoding="utf-8")
    return path


GOOD_SOURCES = """  - title: An FDA safety communication
    publisher: US Food and Drug Administration
    year: 2023
    url: https://www.fda.gov/example-communication
  - title: Depression
    publisher: National Institute of Mental Health
    year: 2024
    url: https://www.nimh.nih.gov/health/topics/depression"""


def test_import_stores_the_sources_from_the_front_matter(tmp_path):
    write(tmp_path, GOOD_SOURCES)

    report = import_content(directory=tmp_path)

    assert [result.outcome for result in report.results] == [Outcome.CREATED]
    assert Article.objects.get(slug="how-long").sources == [FDA, NIMH]


@pytest.mark.parametrize(
    ("sources_yaml", "problem"),
    [
        (
            "  - publisher: FDA\n    year: 2023\n    url: https://www.fda.gov/x",
            "source 1 has no title",
        ),
        (
            "  - title: A label\n    publisher: FDA\n    year: 2023",
            "source 1 ('A label') needs a web address starting with http:// or https://",
        ),
        (
            "  - title: A label\n    url: javascript:alert(1)",
            "source 1 ('A label') needs a web address starting with http:// or https://",
        ),
        (
            "  - title: A label\n    url: ftp://files.example.org/label.pdf",
            "source 1 ('A label') needs a web address starting with http:// or https://",
        ),
        (
            "  - title: Fine\n    url: https://example.org/\n  - title: '   '\n    url: https://x.org/",
            "source 2 has no title",
        ),
        (
            "  - title: A label\n    year: last year\n    url: https://example.org/",
            "source 1 ('A label'): year must be a year like 2023",
        ),
        ("  - just a string", "source 1 must have a title, publisher, year and url"),
    ],
)
def test_import_names_and_refuses_a_bad_source(tmp_path, sources_yaml, problem):
    write(tmp_path, sources_yaml)

    report = import_content(directory=tmp_path)

    assert [result.outcome for result in report.results] == [Outcome.FAILED]
    assert problem in report.results[0].problem
    assert not Article.objects.filter(slug="how-long").exists()


def test_a_bad_source_leaves_the_stored_article_as_it_was(tmp_path):
    write(tmp_path, GOOD_SOURCES)
    import_content(directory=tmp_path)
    write(tmp_path, "  - title: No address")

    report = import_content(directory=tmp_path)

    assert report.results[0].outcome == Outcome.FAILED
    assert Article.objects.get(slug="how-long").sources == [FDA, NIMH]


def test_articles_imported_before_sources_existed_still_match_their_file():
    # A row imported by the previous release has no sources or crisis note, and its
    # stored fingerprint was made without those fields: it must not look edited.
    article = make_article()
    old_values = {
        name: value
        for name, value in article.source_values().items()
        if name not in ("sources", "crisis_note")
    }
    article.imported_fingerprint = fingerprint(old_values)
    article.source_file = "old.md"

    assert not article.edited_since_import


def test_article_page_lists_its_sources_in_order_with_links(client):
    article = make_article(sources=[FDA, NIMH])

    html = client.get(article.get_absolute_url()).content.decode()

    section = html[html.index('<section class="sources"') :]
    assert '<h2 id="sources-title">Sources</h2>' in section
    items = re.findall(r"<li>(.*?)</li>", section[: section.index("</ol>")], re.S)
    assert len(items) == 2
    link = '<a href="https://www.fda.gov/example-communication">An FDA safety communication</a>'
    assert link in items[0]
    assert "US Food and Drug Administration, 2023." in items[0]
    assert "National Institute of Mental Health, 2024." in items[1]


def test_article_without_sources_shows_no_empty_sources_section(client):
    html = client.get(make_article().get_absolute_url()).content.decode()

    assert 'class="sources"' not in html


def test_sources_are_cited_in_the_pages_structured_data(client):
    article = make_article(sources=[FDA, NIMH])

    html = client.get(article.get_absolute_url()).content.decode()

    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(script[1])
    assert data["citation"] == [
        {
            "@type": "CreativeWork",
            "name": "An FDA safety communication",
            "url": "https://www.fda.gov/example-communication",
            "publisher": {"@type": "Organization", "name": "US Food and Drug Administration"},
            "datePublished": "2023",
        },
        {
            "@type": "CreativeWork",
            "name": "Depression",
            "url": "https://www.nimh.nih.gov/health/topics/depression",
            "publisher": {"@type": "Organization", "name": "National Institute of Mental Health"},
            "datePublished": "2024",
        },
    ]


def source_form(**data):
    form_class = modelform_factory(Article, fields=["sources"])
    return form_class(data=data, instance=make_article())


def test_editors_see_one_source_per_line_in_the_admin():
    form_class = modelform_factory(Article, fields=["sources"])
    form = form_class(instance=make_article(sources=[FDA, NIMH]))

    shown = form["sources"].value()

    assert form["sources"].field.prepare_value(shown).splitlines() == [
        "An FDA safety communication | US Food and Drug Administration | 2023 | "
        "https://www.fda.gov/example-communication",
        "Depression | National Institute of Mental Health | 2024 | "
        "https://www.nimh.nih.gov/health/topics/depression",
    ]
    assert "sources" in str(ArticleAdmin.fieldsets)


def test_editors_lines_are_saved_as_sources():
    form = source_form(
        sources="An FDA safety communication | US Food and Drug Administration | 2023 | "
        "https://www.fda.gov/example-communication\n\n"
        "Depression | National Institute of Mental Health | 2024 | "
        "https://www.nimh.nih.gov/health/topics/depression\n"
    )

    assert form.is_valid(), form.errors
    assert form.save().sources == [FDA, NIMH]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Only a title", "Line 1 needs four parts"),
        (" | FDA | 2023 | https://www.fda.gov/", "source 1 has no title"),
        ("A label | FDA | 2023 | www.fda.gov", "source 1 ('A label') needs a web address"),
        ("A label | FDA | 2023 | javascript:alert(1)", "source 1 ('A label') needs a web address"),
    ],
)
def test_admin_refuses_a_bad_source_line_and_keeps_what_was_typed(line, message):
    form = source_form(sources=line)

    assert not form.is_valid()
    assert message in " ".join(form.errors["sources"])
    assert form["sources"].value() == line  # shown again for the editor to fix


def test_editor_adds_sources_through_the_admin(admin_client_with_otp):
    from tests.articles.test_admin import CHANGELIST, form_data

    article = make_article()
    lines = (
        "An FDA safety communication | US Food and Drug Administration | 2023 | "
        "https://www.fda.gov/example-communication\n"
        "Depression | National Institute of Mental Health | 2024 | "
        "https://www.nimh.nih.gov/health/topics/depression"
    )

    response = admin_client_with_otp.post(
        f"{CHANGELIST}{article.pk}/change/", form_data(article, sources=lines)
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.sources == [FDA, NIMH]


def test_admin_shows_a_bad_source_and_keeps_the_stored_ones(admin_client_with_otp):
    from tests.articles.test_admin import CHANGELIST, form_data

    article = make_article(sources=[FDA, NIMH])

    response = admin_client_with_otp.post(
        f"{CHANGELIST}{article.pk}/change/",
        form_data(article, sources="A label | FDA | 2023 | not-a-web-address"),
    )

    assert response.status_code == 200
    assert "needs a web address starting with http:// or https://" in response.content.decode()
    assert "A label | FDA | 2023 | not-a-web-address" in response.content.decode()
    article.refresh_from_db()
    assert article.sources == [FDA, NIMH]


def test_import_sets_the_crisis_note_from_the_front_matter(tmp_path):
    path = write(tmp_path, GOOD_SOURCES)
    path.write_text(path.read_text().replace("sources:", "crisis_note: true\nsources:"))

    import_content(directory=tmp_path)

    assert Article.objects.get(slug="how-long").crisis_note is True


def test_import_refuses_a_crisis_note_that_is_not_true_or_false(tmp_path):
    path = write(tmp_path, GOOD_SOURCES)
    path.write_text(path.read_text().replace("sources:", "crisis_note: sometimes\nsources:"))

    report = import_content(directory=tmp_path)

    assert report.results[0].problem == "crisis_note must be true or false"
