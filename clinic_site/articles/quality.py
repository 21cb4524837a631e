"""Checks shown to editors on save: they advise and never block.

Readability is the Flesch-Kincaid grade, against the clinic's target of about US
grade 8. Syllables come from pyphen's hyphenation dictionary (shipped with the
package); textstat was tried, but its 0.7 line downloads CMUdict from the network
at run time, which neither production nor CI can do.

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

from . import markup
from .markup import images_without_alt
from .models import WORDS_PER_MINUTE


@dataclass
class QualityReport:
    reading_minutes: int
    grade: float | None
    avoided_words: list[str] = field(default_factory=list)
    images_without_alt: list[str] = field(default_factory=list)

    @property
    def grade_ok(self) -> bool:
        return self.grade is None or self.grade <= settings.READABILITY_TARGET_GRADE + 1


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


def avoided_words(text: str) -> list[str]:
    found = []
    for word in settings.AVOID_WORDS:
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
    text = f"{article.title}. {article.summary} {body_text}"
    return QualityReport(
        reading_minutes=max(1, math.ceil(len(rendered_text.split()) / WORDS_PER_MINUTE)),
        grade=readability_grade(rendered_text),
        avoided_words=avoided_words(text),
        images_without_alt=images_without_alt(article.body),
    )
