"""Writing checks shown to editors."""

from pathlib import Path

import frontmatter
from django.conf import settings

from clinic_site.articles.markup import images_without_alt, render
from clinic_site.articles.quality import (
    avoided_words,
    fernandez_huerta,
    readability_grade,
    spanish_reading_ease,
    spanish_syllables,
    syllables,
)

PLAIN = "The nurse checks your blood pressure. You rest in a quiet room. " * 6
DENSE = (
    "Pharmacological intervention utilising N-methyl-D-aspartate receptor antagonism "
    "necessitates comprehensive cardiovascular evaluation, individualised titration and "
    "continuous physiological monitoring throughout administration. "
) * 3


def test_syllables_are_counted_from_the_dictionary():
    assert syllables("rest") == 1
    assert syllables("quiet") >= 2
    assert syllables("monitoring") >= 4


def test_plain_text_grades_low_and_dense_text_grades_high():
    assert readability_grade(PLAIN) < 6
    assert readability_grade(DENSE) > 14


def test_short_text_is_not_graded():
    assert readability_grade("Too short to grade.") is None


def test_avoided_words_match_whole_words_only(settings):
    settings.AVOID_WORDS = ["cure", "instant", "best"]

    assert avoided_words("This is not a Cure. Results are never instant.") == ["cure", "instant"]
    assert avoided_words("Procurement, instantaneous and bestow are fine.") == []


def test_shipped_articles_are_near_the_target_grade():
    for path in sorted((Path(settings.BASE_DIR) / "content").glob("*.md")):
        grade = readability_grade(render(frontmatter.load(path).content).text)
        assert grade is not None and grade <= settings.READABILITY_TARGET_GRADE + 2, path.name


def test_a_word_marked_allowed_passes_in_that_one_place(db, settings):
    from clinic_site.articles.quality import check_article
    from tests.factories import make_article

    settings.AVOID_WORDS = ["cure"]
    article = make_article(body="## Is it a cure<!-- allow -->?\n\nNo. It can help some people.\n")

    assert check_article(article).avoided_words == []


def test_the_same_word_elsewhere_on_the_page_is_still_flagged(db, settings):
    from clinic_site.articles.quality import check_article
    from tests.factories import make_article

    settings.AVOID_WORDS = ["cure"]
    article = make_article(
        body="## Is it a cure<!-- allow -->?\n\nNo. But for some it is a cure for low mood.\n"
    )

    assert check_article(article).avoided_words == ["cure"]


def test_readers_never_see_the_allow_marker():
    rendered = render("## Is it a cure<!-- allow -->?\n\nNo.\n")

    assert "allow" not in rendered.html
    assert rendered.headings == [{"id": "is-it-a-cure", "title": "Is it a cure?"}]


def test_images_without_a_description_are_named_by_position_not_file_name():
    body = (
        "![A nurse checks the drip](/media/a.png)\n\n"
        "## How an infusion is given\n\n"
        "![](/media/articles/0123456789abcdef0123456789abcdef_40x30.png)\n\n"
        "![Describe the image here](/media/c.png)\n"
    )

    assert images_without_alt(body) == [
        "image 2, after 'How an infusion is given'",
        "image 3, after 'How an infusion is given'",
    ]


# --- Spanish ------------------------------------------------------------------------------


def test_fernandez_huerta_is_the_corrected_formula():
    # L = 206.84 − 0.60 × syllables per 100 words − 1.02 × words per sentence (Law's
    # correction, legible.es; see quality.fernandez_huerta). 100 words, 200 syllables,
    # 5 sentences: 206.84 − 120 − 20.4 = 66.44.
    assert fernandez_huerta(words=100, syllables=200, sentences=5) == 66.4
    # Shorter sentences read more easily, never less (the uncorrected form's error).
    assert fernandez_huerta(words=100, syllables=200, sentences=10) > 66.4
    assert fernandez_huerta(words=100, syllables=250, sentences=5) < 66.4


def test_spanish_syllables_follow_spanish_rules():
    counts = [spanish_syllables(word) for word in ("alivio", "día", "ketamina", "aneurisma")]
    assert counts == [3, 2, 4, 4]
    assert [spanish_syllables(word) for word in ("leer", "ciudad", "tratamiento")] == [2, 2, 4]


def test_a_hand_counted_spanish_text_gets_its_fernandez_huerta_score():
    # "Su médico le va a explicar el plan." 8 words, 12 syllables (su mé-di-co le va a
    # ex-pli-car el plan); "Puede hacer preguntas." 3 words, 7 syllables (pue-de
    # ha-cer pre-gun-tas). Five times: 55 words, 95 syllables, 10 sentences.
    text = "Su médico le va a explicar el plan. Puede hacer preguntas. " * 5
    expected = round(206.84 - 0.60 * (100 * 95 / 55) - 1.02 * (55 / 10), 1)
    assert spanish_reading_ease(text) == expected == 97.6


def test_spanish_articles_get_the_spanish_checks(db, settings):
    from clinic_site.articles.quality import check_article
    from tests.factories import make_article

    settings.AVOID_WORDS_ES = ["cura garantizada", "instantáneo"]
    article = make_article(
        language="es",
        body="Una cura garantizada con alivio instantáneo. "
        + "Su médico le va a explicar el plan. Puede hacer preguntas. " * 5,
    )

    report = check_article(article)

    assert report.avoided_words == ["cura garantizada", "instantáneo"]
    assert report.grade is None and report.spanish_ease is not None
    assert "Fernández-Huerta" in report.readability
