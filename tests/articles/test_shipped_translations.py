"""The shipped Spanish articles (content/es/): every English article has a published
translation, tied to it, with the same sources and crisis note.

The translations are written on their own branch; until content/es/ holds any file
these tests skip, saying so.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from clinic_site.articles.models import Article
from clinic_site.core.languages import Language

SPANISH = Path(settings.BASE_DIR) / "content" / "es"
SHIPPED = sorted(SPANISH.glob("*.md"))

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SHIPPED, reason="content/es/ has no Spanish articles yet"),
]


@pytest.fixture
def imported():
    call_command("import_content", stdout=StringIO(), stderr=StringIO())


def test_every_english_article_has_a_published_spanish_translation(imported):
    untranslated = [
        article.slug
        for article in Article.objects.published().in_language(Language.ENGLISH)
        if not article.translations.published().exists()
    ]
    assert not untranslated


def test_each_translation_keeps_its_originals_sources_and_crisis_note(imported):
    for translation in Article.objects.in_language(Language.SPANISH):
        original = translation.translation_of
        assert original is not None, translation.slug
        assert translation.sources == original.sources, translation.slug
        assert translation.crisis_note == original.crisis_note, translation.slug
        assert translation.topic == original.topic, translation.slug
        assert not translation.is_translation_out_of_date, translation.slug
