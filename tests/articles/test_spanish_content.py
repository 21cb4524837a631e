"""The Spanish translations in content/es/ stay true to their English originals.

These tests read the files only: they check the translation itself (same facts' frame,
same sources, same shape, plain Spanish), not how the site imports or shows it.

Readability is the Szigriszt-Pazos perspicuity index, read on the INFLESZ scale (Barrio-
Cantalejo et al., 2008), the Spanish counterpart of the Flesch score used for health
information: 206.835 − 62.3 × syllables per word − words per sentence. 65 and above is
"bastante fácil" (fairly easy), which matches the English articles' target of about US
grade 8. Syllables are counted by the site's own Spanish check
(clinic_site/articles/quality.py, ``spanish_syllables``): pyphen's Spanish dictionary,
and at least each word's vowel nuclei, since hyphenation never splits off a single vowel
("ali-vio", "día") and short counts would flatter the score.
"""

import re
from pathlib import Path

import frontmatter
import pytest
from django.conf import settings

from clinic_site.articles.quality import spanish_syllables as syllables
from tests.helpers import assert_says

CONTENT = Path(settings.BASE_DIR) / "content"
ENGLISH = {frontmatter.load(path)["slug"]: path for path in sorted(CONTENT.glob("*.md"))}
SPANISH = sorted((CONTENT / "es").glob("*.md"))
IDS = [path.name for path in SPANISH]

REQUIRED_KEYS = {"title", "slug", "summary", "topic", "order", "sources", "translation_of"}
SAME_AS_ORIGINAL = ("topic", "order", "crisis_note", "sources")
INFLESZ_THRESHOLD = 65

_WORD = re.compile(r"[a-záéíóúüñ]+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…:;]+(?=[\s\"»”)]|$)")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def plain_text(markdown: str) -> str:
    """The words a reader reads: no markup, and each heading or list item ends a sentence."""
    text = re.sub(r"<!--.*?-->", "", markdown, flags=re.DOTALL)
    text = _LINK.sub(r"\1", text)
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(#+|[-*]|\d+\.)\s+", "", line).replace("**", "").strip()
        if line:
            lines.append(line if _SENTENCE_END.search(line) else line + ".")
    return "\n".join(lines)


def inflesz(markdown: str) -> float:
    text = plain_text(markdown)
    words = _WORD.findall(text)
    sentences = max(1, len(_SENTENCE_END.findall(text)))
    total = sum(syllables(word) for word in words)
    return round(206.835 - 62.3 * total / len(words) - len(words) / sentences, 1)


def sections(markdown: str) -> list[str]:
    return re.findall(r"^(#{2,3}) ", markdown, re.MULTILINE)


def load_pair(path):
    spanish = frontmatter.load(path)
    return spanish, frontmatter.load(ENGLISH[spanish["translation_of"]])


def test_the_readability_formula_tells_plain_spanish_from_dense_spanish():
    plain = "Su médico le va a explicar el plan. Puede hacer preguntas. " * 5
    dense = (
        "La administración intravenosa de ketamina, un antagonista no competitivo del "
        "receptor de N-metil-D-aspartato, requiere monitorización hemodinámica continua "
        "durante la infusión y posteriormente, considerando las comorbilidades. "
    ) * 3
    assert inflesz(plain) >= INFLESZ_THRESHOLD > inflesz(dense)
    assert [syllables(word) for word in ("alivio", "día", "ketamina", "aneurisma")] == [
        3,
        2,
        4,
        4,
    ]


def test_every_english_article_has_one_spanish_translation():
    translated = [frontmatter.load(path)["translation_of"] for path in SPANISH]
    assert sorted(translated) == sorted(ENGLISH)


@pytest.mark.parametrize("path", SPANISH, ids=IDS)
def test_translation_has_the_front_matter_of_its_original(path):
    spanish, english = load_pair(path)
    assert set(spanish.metadata) >= REQUIRED_KEYS
    assert set(spanish.metadata) - {"translation_of"} == set(english.metadata)
    for key in SAME_AS_ORIGINAL:
        assert spanish.get(key) == english.get(key), key


@pytest.mark.parametrize("path", SPANISH, ids=IDS)
def test_translation_slug_is_a_plain_spanish_slug_matching_its_file(path):
    slug = frontmatter.load(path)["slug"]
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert path.name == f"{slug}.md"
    assert slug not in ENGLISH


@pytest.mark.parametrize("path", SPANISH, ids=IDS)
def test_translation_summary_fits_a_meta_description(path):
    assert len(frontmatter.load(path)["summary"]) <= 160


@pytest.mark.parametrize("path", SPANISH, ids=IDS)
def test_translation_keeps_the_sections_and_markers_of_its_original(path):
    spanish, english = load_pair(path)
    assert sections(spanish.content) == sections(english.content)
    for marker in ("<!-- allow -->", "988", "911"):
        assert spanish.content.count(marker) == english.content.count(marker), marker


@pytest.mark.parametrize("path", SPANISH, ids=IDS)
def test_translation_links_to_the_spanish_pages_its_original_links_to(path):
    spanish_slug_of = {
        frontmatter.load(other)["translation_of"]: frontmatter.load(other)["slug"]
        for other in SPANISH
    }
    spanish, english = load_pair(path)
    expected = [
        re.sub(r"^/articles/([^/]+)/$", lambda m: f"/es/articles/{spanish_slug_of[m[1]]}/", url)
        for _, url in _LINK.findall(english.content)
    ]
    assert [url for _, url in _LINK.findall(spanish.content)] == expected


@pytest.mark.parametrize("path", SPANISH, ids=IDS)
def test_translation_points_the_reader_to_a_clinician(path):
    body = frontmatter.load(path).content.lower()
    assert "profesional de la salud" in body or "su médico" in body


@pytest.mark.parametrize("path", SPANISH, ids=IDS)
def test_translation_reads_fairly_easily(path):
    score = inflesz(frontmatter.load(path).content)
    assert score >= INFLESZ_THRESHOLD, f"INFLESZ {score}, below {INFLESZ_THRESHOLD}"


@pytest.mark.parametrize("path", SPANISH, ids=IDS)
def test_translation_has_as_many_key_facts_as_its_original_and_they_read_easily(path):
    spanish, english = load_pair(path)
    facts = spanish.get("key_facts") or []

    assert len(facts) == len(english.get("key_facts") or [])
    assert 3 <= len(facts) <= 5
    score = inflesz("\n".join(facts))
    assert score >= INFLESZ_THRESHOLD, f"INFLESZ {score}, below {INFLESZ_THRESHOLD}"


@pytest.mark.parametrize("path", SPANISH, ids=IDS)
def test_translation_uses_the_words_a_reader_will_not_misread(path):
    post = frontmatter.load(path)
    text = post.content + " ".join(post.get("key_facts") or [])
    # Heart rate is "frecuencia" (how fast), not "ritmo" (rhythm); "su culpa" could be
    # read as the medicine's fault.
    assert "ritmo cardíaco" not in text
    assert "es su culpa" not in text
    for word in ("rango", "reportad", "seguido", "hinchada"):
        assert word not in text, word


def spanish_text(slug: str) -> str:
    return frontmatter.load(CONTENT / "es" / f"{slug}.md").content


def test_spanish_pages_carry_the_interactions_pregnancy_and_bladder_content():
    avoid = spanish_text("quien-debe-evitar-la-ketamina")
    faq = spanish_text("preguntas-frecuentes")
    addiction = spanish_text("adiccion-y-uso-indebido")
    for text in (avoid, faq):
        assert_says(
            text,
            *("enzodiacepinas", "opioides", "alcohol", "inhibidores de la MAO"),
            "eofilina",
            "no se recomienda el tratamiento con ketamina durante el embarazo",
        )
    assert_says(
        addiction,
        "## Daño a la vejiga: cistitis por ketamina",
        "no solo en quienes la usaron de forma indebida",
        "1-800-662-4357",
    )
    assert "por lo menos en 24 horas, ni antes de una noche completa de sueño" in spanish_text(
        "que-esperar-en-una-cita"
    )
