"""The shipped articles follow the clinic's writing rules."""

import re
from pathlib import Path

import frontmatter
import pytest
from django.conf import settings

CONTENT = Path(settings.BASE_DIR) / "content"
FILES = sorted(CONTENT.glob("*.md"))
REQUIRED_SLUGS = {
    "how-ketamine-infusion-works",
    "how-long-does-relief-last",
    "addiction-and-misuse-concerns",
    "who-should-avoid-ketamine",
    "conditions-ketamine-is-used-for",
    "what-to-expect-at-an-appointment",
    "frequently-asked-questions",
}


def test_every_required_topic_has_an_article():
    assert {frontmatter.load(path)["slug"] for path in FILES} >= REQUIRED_SLUGS


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_a_file_that_names_a_reviewer_also_says_when_they_reviewed_it(path):
    # Who may sign off is checked by the import (a clinical reviewer who exists as a
    # user: tests/articles/test_review.py); a file carries the two together or neither.
    post = frontmatter.load(path)
    assert ("reviewed_by" in post.metadata) == ("last_reviewed" in post.metadata)


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_article_points_the_reader_to_a_clinician(path):
    body = frontmatter.load(path).content.lower()
    assert any(word in body for word in ("clinician", "doctor", "care team", "medical team"))


def test_faq_headings_are_all_questions():
    faq = frontmatter.load(CONTENT / "frequently-asked-questions.md").content
    headings = re.findall(r"^## (.+)$", faq, re.MULTILINE)
    assert len(headings) >= 9
    assert all(heading.strip().endswith("?") for heading in headings)


def test_off_label_status_and_side_effects_are_stated():
    text = " ".join(frontmatter.load(path).content.lower() for path in FILES)
    assert "off-label" in text
    for effect in ("nausea", "dizz", "blood pressure"):
        assert effect in text


# --- Sources, crisis help and the writing checks, on the articles as imported -----------

# Pages readers may open at their lowest: relief fading, no benefit, the FAQ.
CRISIS_PAGES = {
    "how-long-does-relief-last",
    "frequently-asked-questions",
    "what-to-expect-at-an-appointment",
}


@pytest.fixture
def imported(db):
    from clinic_site.articles.importer import import_content
    from clinic_site.articles.models import Article
    from tests.helpers import make_reviewer

    # The clinicians a file says signed it off exist as reviewers, as they would in
    # production; the import refuses any other name.
    reviewers = {frontmatter.load(path).metadata.get("reviewed_by") for path in FILES}
    for username in sorted(name for name in reviewers if name):
        make_reviewer(username)
    report = import_content(directory=CONTENT)
    assert report.failed == [], [(r.path.name, r.problem) for r in report.failed]
    # The English originals: the Spanish files have their own checks (test_spanish_content.py).
    return list(Article.objects.published().filter(language="en"))


def structured_data(html: str) -> dict:
    import json

    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(script[1])


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_article_cites_at_least_two_sources_with_https_addresses(path):
    sources = frontmatter.load(path).metadata.get("sources") or []

    assert len(sources) >= 2
    for source in sources:
        assert source["title"].strip()
        assert source["publisher"].strip()
        assert source["url"].startswith("https://"), source["url"]


def test_every_published_article_shows_and_cites_its_sources(client, imported):
    assert {article.slug for article in imported} >= REQUIRED_SLUGS
    for article in imported:
        assert len(article.sources) >= 2, article.slug
        html = client.get(article.get_absolute_url()).content.decode()

        cited = [work["url"] for work in structured_data(html)["citation"]]
        assert cited == [source["url"] for source in article.sources], article.slug
        assert all(url.startswith("https://") for url in cited), article.slug
        assert '<h2 id="sources-title">Sources</h2>' in html, article.slug


def test_crisis_sentence_is_on_the_pages_readers_may_open_at_their_lowest(
    client, imported, settings
):
    sentence = (
        "Ketamine is not an emergency treatment: if you are in crisis, call or text 988, "
        "or 911 in an emergency."
    )
    assert sentence == settings.CRISIS_NOTE_TEXT
    for slug in CRISIS_PAGES:
        html = client.get(f"/articles/{slug}/").content.decode()
        assert sentence in html, slug


def test_every_article_passes_the_readability_and_word_checks(imported, settings):
    from clinic_site.articles.quality import check_article

    for article in imported:
        report = check_article(article)
        assert report.grade is not None, article.slug
        assert report.grade <= settings.READABILITY_TARGET_GRADE, (article.slug, report.grade)
        assert report.avoided_words == [], article.slug


def test_risk_answers_are_direct():
    def text(slug):
        return frontmatter.load(CONTENT / f"{slug}.md").content

    faq = text("frequently-asked-questions")
    addiction = text("addiction-and-misuse-concerns")
    avoid = text("who-should-avoid-ketamine")
    # Addictive: a yes, and that screening lowers the risk without removing it.
    assert "## Is ketamine addictive?\n\nIt can be." in faq
    assert "lower the risk. They do not remove it." in faq
    # Tolerance named plainly, and harms not only from non-medical use.
    assert "## Can I build up a tolerance?\n\nYes" in faq
    assert "## Risks in medical treatment, too" in addiction
    assert "not well studied" in addiction
    # At home: the FDA's 2023 warning, not the clinic's own say-so.
    assert "In 2023 the FDA warned" in faq
    # Esketamine's approval with its caveat.
    assert "has not been shown to prevent suicide" in faq
    # Antidepressants: keep taking them, never stop alone.
    assert "Keep taking your antidepressants unless" in faq
    assert "Never stop an antidepressant on your own." in faq
    # Thyroid as narrow as the evidence, and the other cautions asked as questions.
    assert "overactive thyroid that is not under control" in avoid
    assert "Thyroid disease" not in avoid
    for question in ("allergic reaction", "liver disease", "pressure in your eye", "under 18"):
        assert question in avoid, question


def test_missing_topics_are_covered_with_their_evidence_status():
    conditions = frontmatter.load(CONTENT / "conditions-ketamine-is-used-for.md").content
    relief = frontmatter.load(CONTENT / "how-long-does-relief-last.md").content
    visit = frontmatter.load(CONTENT / "what-to-expect-at-an-appointment.md").content

    assert "## Migraine" in conditions and "## Substance use disorders" in conditions
    assert conditions.count("much less established") == 2
    assert "### Medicines to ease side effects" in visit
    assert "## The medicine leaves the body sooner than relief fades" in relief
    assert "There is no agreed schedule for maintenance infusions." in relief
