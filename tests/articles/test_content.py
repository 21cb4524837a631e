"""The shipped articles follow the clinic's writing rules."""

import re
from pathlib import Path

import frontmatter
import pytest
from django.conf import settings
from django.utils.html import escape

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
    from tests.factories import make_reviewer

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


# --- Safety information patients can act on (issue 22) ----------------------------------

NEW_ARTICLES = {
    "cost-and-insurance": "costo-y-seguro-medico",
    "screening-before-treatment": "evaluacion-antes-del-tratamiento",
    "getting-ready-for-an-infusion": "como-prepararse-para-una-infusion",
    "side-effects-over-time": "efectos-secundarios-con-el-tiempo",
    "other-treatments-for-depression": "otros-tratamientos-para-la-depresion",
}
# Pages about the treatment itself, which carry the warning signs box.
TREATMENT_TOPICS = {"treatment", "safety", "visit"}


def text_of(slug: str) -> str:
    return frontmatter.load(CONTENT / f"{slug}.md").content


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_every_article_has_three_to_five_plain_key_facts(path):
    from clinic_site.articles.quality import avoided_words, readability_grade

    facts = frontmatter.load(path).metadata.get("key_facts")

    assert isinstance(facts, list) and 3 <= len(facts) <= 5
    assert avoided_words(" ".join(facts)) == []
    grade = readability_grade(" ".join(facts))
    assert grade is None or grade <= settings.READABILITY_TARGET_GRADE, grade


def test_every_page_opens_with_its_key_facts_box_in_its_language(client, imported):
    from clinic_site.articles.models import Article

    pages = list(Article.objects.published())
    assert {page.language for page in pages} == {"en", "es"}
    for page in pages:
        html = client.get(page.get_absolute_url()).content.decode()
        heading = "Datos clave" if page.language == "es" else "Key facts"
        assert f'<h2 id="key-facts-title">{heading}</h2>' in html, page.slug
        for fact in page.key_fact_list:
            assert f"<li>{escape(fact)}</li>" in html, (page.slug, fact)
        assert html.index('class="key-facts"') < html.index('<div class="prose">'), page.slug
        assert len(page.sources) >= 2, page.slug


def test_every_page_about_the_treatment_shows_when_to_get_help_in_its_language(client, imported):
    from clinic_site.articles.models import Article

    for page in Article.objects.published():
        html = client.get(page.get_absolute_url()).content.decode()
        shown = '<h2 id="when-to-get-help-title">' in html
        assert shown == (page.topic in TREATMENT_TOPICS), page.slug
        if shown and page.language == "es":
            assert "Cuándo pedir ayuda" in html and "dolor en el pecho" in html, page.slug
        elif shown:
            assert "When to get help" in html and "chest pain" in html, page.slug


def test_the_new_articles_exist_in_english_and_spanish_with_their_sources(imported):
    from clinic_site.articles.models import Article

    for english_slug, spanish_slug in NEW_ARTICLES.items():
        english = Article.objects.published().get(slug=english_slug)
        spanish = Article.objects.published().get(slug=spanish_slug)
        assert spanish.translation_of == english
        assert len(english.sources) >= 2 and spanish.sources == english.sources


def test_the_new_articles_are_linked_from_the_home_page_and_the_faq(client, imported):
    home = client.get("/").content.decode()
    home_es = client.get("/es/").content.decode()
    faq = text_of("frequently-asked-questions")
    for english_slug, spanish_slug in NEW_ARTICLES.items():
        assert f'href="/articles/{english_slug}/"' in home, english_slug
        assert f'href="/es/articles/{spanish_slug}/"' in home_es, spanish_slug
        assert f"(/articles/{english_slug}/)" in faq, english_slug


def test_interactions_are_named_with_what_to_tell_the_clinic():
    for slug in ("who-should-avoid-ketamine", "frequently-asked-questions"):
        text = text_of(slug)
        for medicine in (
            "Benzodiazepines" if slug == "who-should-avoid-ketamine" else "benzodiazepines",
            "opioid",
            "alcohol",
            "Stimulants",
            "MAO inhibitors",
            "Theophylline",
        ):
            assert medicine in text, (slug, medicine)
        assert "slow your breathing" in text, slug
        assert "blood pressure" in text, slug
        assert "Never stop or change a medicine on your own" in text, slug


def test_pregnancy_and_breastfeeding_are_stated_plainly():
    sentence = (
        "Ketamine treatment is generally not recommended in pregnancy or while breastfeeding."
    )
    for slug in ("who-should-avoid-ketamine", "frequently-asked-questions"):
        text = text_of(slug)
        assert sentence in text, slug
        assert "may harm an unborn baby" in text, slug
    assert "not well studied in pregnancy" not in text_of("who-should-avoid-ketamine")


def test_bladder_harm_is_named_as_a_risk_of_repeated_medical_use_with_its_signs():
    addiction = text_of("addiction-and-misuse-concerns")
    assert "## Bladder harm: ketamine-associated cystitis" in addiction
    assert "not only in people who misused it" in addiction
    for sign in ("Pain or burning when you pass urine", "urgently", "Blood in your urine"):
        assert sign in addiction, sign
    assert "ketamine-associated cystitis" in text_of("side-effects-over-time")


def test_driving_advice_is_24_hours_and_a_full_nights_sleep_everywhere():
    for path in FILES:
        text = frontmatter.load(path).content
        assert "until the next day, after a full night's sleep" not in text, path.name
    for slug in ("how-ketamine-infusion-works", "what-to-expect-at-an-appointment"):
        assert "for at least 24 hours, and not before a full night's sleep" in text_of(slug)


def test_esketamine_is_described_as_it_is_approved_now():
    how = text_of("how-ketamine-infusion-works")
    faq = text_of("frequently-asked-questions")
    assert "Since January 2025, it can be used for this on its own" in how
    assert "part of the ketamine molecule" not in how + faq
    assert "mirror images of each other" in how and "mirror-image forms" in faq
    for path in FILES:
        for source in frontmatter.load(path).metadata.get("sources") or []:
            assert "accessdata.fda.gov/drugsatfda_docs/label/2020" not in source["url"], path


def test_the_addiction_page_gives_the_samhsa_helpline_and_names_withdrawal():
    addiction = text_of("addiction-and-misuse-concerns")
    assert "1-800-662-4357" in addiction
    assert "## Tolerance and withdrawal" in addiction
