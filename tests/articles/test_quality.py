"""Writing checks shown to editors."""

from pathlib import Path

import frontmatter
from django.conf import settings

from clinic_site.articles.markup import images_without_alt, render
from clinic_site.articles.quality import avoided_words, readability_grade, syllables

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
