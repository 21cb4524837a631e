"""Checks shown to editors on save: they advise and never block.

Readability is the Flesch-Kincaid grade, against the clinic's target of about US
grade 8; Spanish pages get the Fernández-Huerta reading ease instead (see
``fernandez_huerta``) and the Spanish word list (settings.AVOID_WORDS_ES).
Syllables come from pyphen's hyphenation dictionary (shipped with the package);
textstat was tried, but its 0.7 line downloads CMUdict from the network at run time,
which neither production nor CI can do.

Words to avoid are the clinic's own list (settings.AVOID_WORDS): promises and
superlatives that do not belong on a medical information page. Sometimes a listed word
is the honest answer ("Is it a cure? No."): writing ``<!-- allow -->`` straight after
it lets that one occurrence through, while the same word anywhere else on the page is
still flagged. Readers never see the marker: the sanitiser drops HTML comments.
"""

import math
import re
from dataclasses import dataclass, field

import pyphen
from django.conf import settings

from clinic_site.core.languages import Language, is_spanish

from . import markup
from .markup import images_without_alt
from .models import KEY_FACTS_MAX, KEY_FACTS_MIN, WORDS_PER_MINUTE


@dataclass
class QualityReport:
    reading_minutes: int
    grade: float | None
    avoided_words: list[str] = field(default_factory=list)
    images_without_alt: list[str] = field(default_factory=list)
    key_facts: int = 0

    @property
    def key_facts_ok(self) -> bool:
        return KEY_FACTS_MIN <= self.key_facts <= KEY_FACTS_MAX

    # Spanish pages: the Fernández-Huerta reading ease (0-100, higher is easier) instead
    # of an English grade, which means nothing for Spanish words.
    spanish_ease: float | None = None
    language: str = "en"

    @property
    def grade_ok(self) -> bool:
        if is_spanish(self.language):
            return self.spanish_ease is None or (
                self.spanish_ease >= settings.READABILITY_TARGET_EASE_ES - 5
            )
        return self.grade is None or self.grade <= settings.READABILITY_TARGET_GRADE + 1

    @property
    def readability(self) -> str:
        """The readability line in words, for the editor's checks and messages."""
        if is_spanish(self.language):
            if self.spanish_ease is None:
                return "too short to score"
            return (
                f"Fernández-Huerta {self.spanish_ease} (target: "
                f"{settings.READABILITY_TARGET_EASE_ES} or more, higher is easier)"
            )
        grade = "too short to grade" if self.grade is None else f"grade {self.grade}"
        return f"{grade} (target: about grade {settings.READABILITY_TARGET_GRADE})"


_HYPHENATOR = pyphen.Pyphen(lang="en_US")
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")


def syllables(word: str) -> int:
    return len(_HYPHENATOR.positions(word.lower())) + 1


def readability_grade(text: str) -> float | None:
    """Flesch-Kincaid grade: 0.39 × words per sentence + 11.8 × syllables per word − 15.59."""
    words = _WORD.findall(text)
    if len(words) < 30:  # too short for the formula to mean anything
        return None
    sentences = max(1, len(_SENTENCE_END.findall(text)))
    total_syllables = sum(syllables(word) for word in words)
    grade = 0.39 * len(words) / sentences + 11.8 * total_syllables / len(words) - 15.59
    return round(grade, 1)


# --- Spanish ------------------------------------------------------------------------------

_HYPHENATOR_ES = pyphen.Pyphen(lang="es", left=1, right=1)
_WORD_ES = re.compile(r"[a-záéíóúüñ]+", re.IGNORECASE)
_STRONG = set("aeoáéó")
_STRESSED_WEAK = set("íú")
_VOWELS = _STRONG | _STRESSED_WEAK | set("iuü")


def spanish_syllables(word: str) -> int:
    """Spanish syllables: pyphen's hyphenation, but at least the vowel nuclei (two
    strong vowels, or a stressed í/ú, are two syllables; "día", "leer"), because
    hyphenation never splits off a lone vowel ("ali-vio")."""
    nuclei, previous = 0, ""
    for letter in word.lower():
        if letter not in _VOWELS:
            previous = ""
            continue
        diphthong = previous and not (
            (letter in _STRONG and previous in _STRONG)
            or letter in _STRESSED_WEAK
            or previous in _STRESSED_WEAK
        )
        if not diphthong:
            nuclei += 1
        previous = letter
    return max(len(_HYPHENATOR_ES.positions(word.lower())) + 1, nuclei, 1)


def fernandez_huerta(*, words: int, syllables: int, sentences: int) -> float:
    """Fernández-Huerta reading ease: L = 206.84 − 0.60 P − 1.02 F, with P the syllables
    per 100 words and F the words per sentence.

    Fernández Huerta, "Medidas sencillas de lecturabilidad", Consigna 214 (1959), as
    corrected by Gwillim Law, "Error in the Fernandez Huerta Readability Formula",
    LINGUIST List 22.2332 (2011): the often-copied form with F as sentences per 100
    words scores shorter sentences as harder. The corrected form is the one given at
    https://legible.es/blog/lecturabilidad-fernandez-huerta/ (60-70: "normal (para
    adulto)", school grades 7-8) and computed by the textstat library.
    """
    per_hundred_words = 100 * syllables / words
    words_per_sentence = words / max(1, sentences)
    return round(206.84 - 0.60 * per_hundred_words - 1.02 * words_per_sentence, 1)


def spanish_reading_ease(text: str) -> float | None:
    words = _WORD_ES.findall(text)
    if len(words) < 30:  # too short for the formula to mean anything
        return None
    return fernandez_huerta(
        words=len(words),
        syllables=sum(spanish_syllables(word) for word in words),
        sentences=len(_SENTENCE_END.findall(text)),
    )


def avoided_words(text: str, language: str = "en") -> list[str]:
    found = []
    listed = settings.AVOID_WORDS_ES if is_spanish(language) else settings.AVOID_WORDS
    for word in listed:
        pattern = rf"(?<![\w-]){re.escape(word)}(?![\w-])"
        if re.search(pattern, text, re.IGNORECASE):
            found.append(word)
    return found


ALLOW_MARKER = "<!-- allow -->"
# A word (or "100%") immediately followed by the marker, which may be spaced inside.
_ALLOWED_WORD = re.compile(r"[\w%-]+<!--\s*allow\s*-->", re.IGNORECASE)


def text_for_word_check(body: str, body_text: str) -> str:
    """The body's plain text without the occurrences an editor has allowed."""
    if not _ALLOWED_WORD.search(body or ""):
        return body_text
    return markup.render(_ALLOWED_WORD.sub("", body)).text


def check_article(article) -> QualityReport:
    """Checks on the words as they stand in ``article`` (a draft overlaid on it in the
    editor, or ``with_draft()``): rendered here, never taken from the stored live
    ``body_text``, so a draft is checked and not the text it will replace."""
    rendered_text = markup.render(article.body).text
    body_text = text_for_word_check(article.body, rendered_text)
    # The key facts box is held to the same words as the body.
    facts = article.key_fact_list
    text = f"{article.title}. {article.summary} {' '.join(facts)} {body_text}"
    spanish = is_spanish(getattr(article, "language", Language.ENGLISH))
    return QualityReport(
        reading_minutes=max(1, math.ceil(len(rendered_text.split()) / WORDS_PER_MINUTE)),
        grade=None if spanish else readability_grade(rendered_text),
        spanish_ease=spanish_reading_ease(rendered_text) if spanish else None,
        language=article.language if spanish else Language.ENGLISH,
        avoided_words=avoided_words(text, Language.SPANISH if spanish else Language.ENGLISH),
        images_without_alt=images_without_alt(article.body),
        key_facts=len(facts),
    )
