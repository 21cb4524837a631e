"""The "Key facts" box: front matter → article → the top of the page, checked like the body."""

import pytest
from django.core.exceptions import ValidationError

from clinic_site.articles.history import summary
from clinic_site.articles.importer import Outcome, import_content
from clinic_site.articles.models import Article, fingerprint
from clinic_site.articles.quality import check_article
from clinic_site.core.languages import Language
from tests.factories import make_article

pytestmark = pytest.mark.django_db

FILE = """---
title: Getting ready
summary: What to do before an infusion.
topic: visit
{key_facts}
---

Intro.

## Before

Text.
"""
NOT_A_LIST = "key_facts must be a list of sentences, one item each"
FACTS = """key_facts:
  - Someone must take you home.
  - Do not drive for at least 24 hours.
  - Tell the clinic about every medicine you take.
"""


def test_key_facts_from_the_file_are_stored_one_per_line(tmp_path):
    (tmp_path / "getting-ready.md").write_text(FILE.format(key_facts=FACTS))

    report = import_content(directory=tmp_path)

    assert [result.outcome for result in report.results] == [Outcome.CREATED]
    article = Article.objects.get(slug="getting-ready")
    assert article.key_fact_list == [
        "Someone must take you home.",
        "Do not drive for at least 24 hours.",
        "Tell the clinic about every medicine you take.",
    ]


@pytest.mark.parametrize(
    "key_facts, problem",
    [
        ("key_facts: Just one string.", NOT_A_LIST),
        ("key_facts:\n  - One.\n  - Two.", "key_facts needs 3 to 5 sentences, not 2"),
        ("key_facts:\n" + "  - A fact.\n" * 6, "key_facts needs 3 to 5 sentences, not 6"),
        ("key_facts:\n  - One.\n  - ''\n  - Three.", NOT_A_LIST),
    ],
)
def test_a_file_with_unusable_key_facts_is_refused_with_the_problem_named(
    tmp_path, key_facts, problem
):
    (tmp_path / "getting-ready.md").write_text(FILE.format(key_facts=key_facts))

    report = import_content(directory=tmp_path)

    assert [result.problem for result in report.failed] == [problem]
    assert not Article.objects.exists()


def test_importing_the_same_key_facts_again_changes_nothing(tmp_path):
    (tmp_path / "getting-ready.md").write_text(FILE.format(key_facts=FACTS))
    import_content(directory=tmp_path)

    again = import_content(directory=tmp_path)

    assert [result.outcome for result in again.results] == [Outcome.UNCHANGED]


def test_more_than_five_key_facts_are_refused_in_the_admin_too():
    article = make_article(key_facts="\n".join(f"Fact {n}." for n in range(6)))

    with pytest.raises(ValidationError, match="5 sentences at most"):
        article.full_clean()


def test_the_admin_text_area_line_endings_are_stored_as_plain_lines():
    article = make_article(key_facts="First fact.\r\n\r\n  Second fact. \r\nThird fact.")

    article.refresh_from_db()
    assert article.key_facts == "First fact.\nSecond fact.\nThird fact."


def test_the_key_facts_box_is_at_the_top_and_announced_by_its_heading(client):
    article = make_article(
        key_facts="Ketamine is used off-label.\nEffects vary.\nAsk a clinician.",
        body="Intro.\n\n## First section\n\nText.\n",
    )

    html = client.get(article.get_absolute_url()).content.decode()

    box = html.index('<section class="key-facts" aria-labelledby="key-facts-title">')
    assert '<h2 id="key-facts-title">Key facts</h2>' in html
    assert "<li>Effects vary.</li>" in html
    assert box < html.index('<div class="prose">')


def test_the_spanish_page_calls_the_box_datos_clave(client):
    original = make_article(key_facts="One.\nTwo.\nThree.")
    spanish = make_article(
        language=Language.SPANISH,
        translation_of=original,
        key_facts="Uno.\nDos.\nTres.",
    )

    html = client.get(spanish.get_absolute_url()).content.decode()

    assert '<h2 id="key-facts-title">Datos clave</h2>' in html
    assert "<li>Dos.</li>" in html


def test_a_page_without_key_facts_has_no_empty_box(client):
    html = client.get(make_article().get_absolute_url()).content.decode()

    assert "key-facts" not in html


def test_avoided_words_in_the_key_facts_are_flagged_like_the_body():
    article = make_article(key_facts="This is a miracle.\nIt is fine.\nAsk us.")

    assert "miracle" in check_article(article).avoided_words


def test_the_key_facts_are_part_of_what_a_clinical_sign_off_covers():
    # Whatever the sign-off workflow, it vouches for the words in REVIEWED_FIELDS' print:
    # changing a key fact afterwards must make the page "changed since review".
    article = make_article(key_facts="One.\nTwo.\nThree.")
    signed = article.reviewed_print()

    article.key_facts = "One.\nTwo.\nThree changed."

    assert article.reviewed_print() != signed


def test_an_article_without_key_facts_keeps_the_print_it_was_signed_off_with():
    # Pages signed off before the box existed stay signed off until facts are added.
    article = make_article()

    assert article.reviewed_print() == fingerprint(
        {name: getattr(article, name) for name in ("title", "summary", "body", "sources")}
    )


def test_the_history_says_in_words_when_the_key_facts_changed():
    article = make_article(key_facts="One.\nTwo.\nThree.")
    article.key_facts = "One.\nTwo.\nThree, reworded."
    article.save()

    assert summary(article.history.first()) == "Changed key facts"


def test_the_writing_checks_say_when_the_key_facts_box_is_missing_or_short():
    assert not check_article(make_article()).key_facts_ok
    assert not check_article(make_article(key_facts="Only one.\nAnd two.")).key_facts_ok
    assert check_article(make_article(key_facts="One.\nTwo.\nThree.")).key_facts_ok
