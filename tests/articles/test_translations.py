"""Spanish translations of articles: imported from content/es/, tied to their English
original, flagged when the original changes, public only once published, and linked
both ways (language link, hreflang, sitemap)."""

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clinic_site.articles.history import english_changes_since_translation
from clinic_site.articles.importer import Outcome, import_content
from clinic_site.articles.models import Article, Status
from clinic_site.articles.search import search_articles
from clinic_site.core.languages import Language
from tests.factories import make_article

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "translation_content"
CHANGELIST = f"/{settings.ADMIN_URL}articles/article/"


@pytest.fixture
def content(tmp_path) -> Path:
    """A content folder with one English article and its Spanish translation."""
    shutil.copytree(FIXTURES, tmp_path / "content")
    return tmp_path / "content"


def make_pair(**spanish):
    original = make_article(title="How long does relief last?", slug="how-relief-lasts")
    values = {
        "title": "¿Cuánto dura el alivio?",
        "slug": "cuanto-dura-el-alivio",
        "language": Language.SPANISH,
        "translation_of": original,
        "body": "La depresión resistente al tratamiento.\n\n## Qué influye\n\nEl sueño.\n",
    }
    values.update(spanish)
    return original, make_article(**values)


def alternates(html: str) -> dict[str, str]:
    return dict(
        re.findall(r'<link rel="alternate" hreflang="(\w+)" href="http://testserver([^"]+)"', html)
    )


def language_link(html: str) -> tuple[str, str]:
    match = re.search(r'<a class="nav__language" href="([^"]+)" hreflang="(\w+)"', html)
    return match.group(2), match.group(1)


# --- Import --------------------------------------------------------------------------------


def test_the_import_reads_spanish_files_and_ties_them_to_their_original(content):
    report = import_content(directory=content)

    assert [result.outcome for result in report.results] == [Outcome.CREATED] * 2
    original = Article.objects.get(slug="how-relief-lasts")
    translation = Article.objects.get(slug="cuanto-dura-el-alivio")
    assert (original.language, translation.language) == ("en", "es")
    assert translation.translation_of == original
    assert list(original.translations.all()) == [translation]
    assert translation.sources == original.sources
    assert translation.source_file == "es/cuanto-dura-el-alivio.md"
    # Importing again changes nothing.
    again = import_content(directory=content)
    assert [result.outcome for result in again.results] == [Outcome.UNCHANGED] * 2


def test_a_translation_naming_no_english_article_is_refused_with_a_clear_message(content):
    spanish = content / "es" / "cuanto-dura-el-alivio.md"
    spanish.write_text(
        spanish.read_text().replace("translation_of: how-relief-lasts", "translation_of: nope"),
        encoding="utf-8",
    )

    report = import_content(directory=content)

    failed = report.failed
    assert [result.path.name for result in failed] == ["cuanto-dura-el-alivio.md"]
    assert "no English article has the slug 'nope'" in failed[0].problem
    assert not Article.objects.filter(slug="cuanto-dura-el-alivio").exists()
    assert Article.objects.filter(slug="how-relief-lasts").exists()  # the others go on


def test_a_spanish_file_without_translation_of_is_refused(content):
    spanish = content / "es" / "cuanto-dura-el-alivio.md"
    spanish.write_text(
        spanish.read_text().replace("translation_of: how-relief-lasts\n", ""), encoding="utf-8"
    )

    [problem] = [result.problem for result in import_content(directory=content).failed]
    assert "missing front matter: translation_of" in problem


def test_an_english_file_may_not_claim_to_be_a_translation(content):
    english = content / "how-relief-lasts.md"
    english.write_text(
        english.read_text().replace("order: 1\n", "order: 1\ntranslation_of: x\n"),
        encoding="utf-8",
    )

    problems = [result.problem for result in import_content(directory=content).failed]
    assert any("translation_of is only for translations" in problem for problem in problems)


# --- Out of date ---------------------------------------------------------------------------


def test_a_changed_english_article_flags_its_translation_out_of_date():
    original, translation = make_pair()
    assert not translation.is_translation_out_of_date

    original.body += "\nA new paragraph about driving home.\n"
    original.save()
    translation.refresh_from_db()
    assert translation.is_translation_out_of_date

    # The translator catches up: the translation's own words change after the original's.
    translation.body += "\nUn párrafo nuevo sobre manejar de regreso a casa.\n"
    translation.save()
    translation.refresh_from_db()
    assert not translation.is_translation_out_of_date


def test_out_of_date_clears_when_the_original_returns_to_the_translated_words():
    original, translation = make_pair()
    before = original.body

    original.body = before + "\nA new paragraph about driving home.\n"
    original.save()
    translation.refresh_from_db()
    assert translation.is_translation_out_of_date
    [change] = english_changes_since_translation(translation)
    assert change["label"] == "Text"
    assert [piece.text.strip() for piece in change["pieces"] if piece.kind == "added"] == [
        "A new paragraph about driving home."
    ]

    # The English is restored to the very words the translation was made from.
    original.body = before
    original.save()
    translation.refresh_from_db()
    assert not translation.is_translation_out_of_date


def test_the_admin_shows_a_translator_the_english_changes(admin_client_with_otp):
    original, translation = make_pair()
    original.summary = "A changed summary about driving."
    original.save()

    url = reverse("admin:articles_article_change", args=[translation.pk])
    html = admin_client_with_otp.get(url).content.decode()

    assert "What changed in English since this translation was made" in html
    assert "driving." in html


def test_saving_the_original_without_changing_its_words_does_not_flag_the_translation():
    original, translation = make_pair()

    original.order = 5
    original.save()

    translation.refresh_from_db()
    assert not translation.is_translation_out_of_date


def test_the_admin_shows_an_articles_translations_and_which_are_out_of_date(
    admin_client_with_otp,
):
    original, translation = make_pair()
    original.summary = "A changed summary."
    original.save()

    html = admin_client_with_otp.get(f"{CHANGELIST}{original.pk}/change/").content.decode()
    assert "¿Cuánto dura el alivio?" in html
    assert "Out of date" in html

    listing = admin_client_with_otp.get(CHANGELIST, {"language__exact": "es"}).content.decode()
    assert "¿Cuánto dura el alivio?" in listing and "Out of date" in listing
    assert "How long does relief last?" not in listing


# --- Public only once published, and "Last updated" until signed off ------------------


def test_a_draft_translation_is_not_public_and_not_linked(client):
    original, translation = make_pair(status=Status.DRAFT)

    assert client.get(translation.get_absolute_url()).status_code == 404
    html = client.get(original.get_absolute_url()).content.decode()
    assert "cuanto-dura-el-alivio" not in html
    # The language link goes to the Spanish article list instead.
    assert language_link(html) == ("es", "/es/articles/")
    assert alternates(html) == {"en": "/articles/how-relief-lasts/"}


def test_a_scheduled_translation_is_not_public_until_its_time(client):
    _, translation = make_pair(published_at=timezone.now() + timedelta(days=1))

    assert client.get(translation.get_absolute_url()).status_code == 404


def test_an_unreviewed_translation_says_last_updated_in_spanish(client):
    _, translation = make_pair()

    html = client.get(translation.get_absolute_url()).content.decode()

    assert "Última actualización" in html
    assert "Revisado por" not in html


# --- Addresses, language links and hreflang ----------------------------------------------


def test_language_links_and_hreflang_pairs_agree_in_both_directions(client):
    original, translation = make_pair()

    english = client.get("/articles/how-relief-lasts/").content.decode()
    spanish = client.get("/es/articles/cuanto-dura-el-alivio/").content.decode()

    pair = {"en": "/articles/how-relief-lasts/", "es": "/es/articles/cuanto-dura-el-alivio/"}
    assert alternates(english) == alternates(spanish) == pair
    assert language_link(english) == ("es", pair["es"])
    assert language_link(spanish) == ("en", pair["en"])
    assert '<html lang="en">' in english and '<html lang="es">' in spanish


def test_the_sitemap_lists_both_languages_with_alternates(client):
    make_pair()

    xml = client.get("/sitemap.xml").content.decode()

    for page in ("/articles/how-relief-lasts/", "/es/articles/cuanto-dura-el-alivio/"):
        assert f"<loc>http://testserver{page}</loc>" in xml
    assert (
        xml.count(
            '<xhtml:link rel="alternate" hreflang="es" '
            'href="http://testserver/es/articles/cuanto-dura-el-alivio/"/>'
        )
        == 2
    )
    assert "<loc>http://testserver/es/contact/</loc>" in xml


def test_an_article_at_the_other_languages_address_moves_to_its_own(client):
    make_pair()

    response = client.get("/articles/cuanto-dura-el-alivio/")

    assert response.status_code == 301
    assert response["Location"] == "/es/articles/cuanto-dura-el-alivio/"


def test_json_ld_gives_each_pages_language(client):
    make_pair()

    assert (
        '"inLanguage":"es-US"' in client.get("/es/articles/cuanto-dura-el-alivio/").content.decode()
    )
    assert '"inLanguage":"en-US"' in client.get("/articles/how-relief-lasts/").content.decode()


def test_each_languages_home_and_list_show_only_its_articles(client):
    make_pair()

    for url in ("/es/", "/es/articles/"):
        html = client.get(url).content.decode()
        assert "¿Cuánto dura el alivio?" in html and "How long does relief last?" not in html
    for url in ("/", "/articles/"):
        html = client.get(url).content.decode()
        assert "How long does relief last?" in html and "¿Cuánto dura el alivio?" not in html


# --- Search --------------------------------------------------------------------------------


def test_searching_an_unaccented_spanish_word_finds_the_accented_one(client):
    make_pair()

    results = search_articles("depresion", language=Language.SPANISH)
    assert [result.article.slug for result in results] == ["cuanto-dura-el-alivio"]
    # Each language searches its own articles.
    assert search_articles("depresion", language=Language.ENGLISH) == []

    html = client.get("/es/articles/search/", {"q": "depresion"}).content.decode()
    assert "¿Cuánto dura el alivio?" in html
    assert "1 resultado" in html


def test_the_faqs_translation_is_marked_up_as_an_faq_page_too(client):
    original = make_article(
        slug="frequently-asked-questions", body="## Does it hurt?\n\nA little.\n"
    )
    make_article(
        slug="preguntas-frecuentes",
        language=Language.SPANISH,
        translation_of=original,
        body="## ¿Duele?\n\nUn poco.\n",
    )

    html = client.get("/es/articles/preguntas-frecuentes/").content.decode()

    assert '"FAQPage"' in html
    assert '"name":"¿Duele?"' in html
