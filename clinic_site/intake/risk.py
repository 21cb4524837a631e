"""Does a message suggest a risk of suicide or self-harm?

The phrases are in one reviewable file per language: risk_phrases/en.txt and
risk_phrases/es.txt beside this module, one phrase a line. This module decides whether
words suggest risk; ContactRequest.message_is_urgent is its only caller, the one place
the urgent rule is applied (a request stored any way, and the words the rate-limited
page cannot store).

CLINICAL REVIEW: a clinician reviews both files before any change is merged and at
least once a year. Record each review here.
  - 2026-11: initial list, pending sign-off by the clinic's medical director.
  - 2026-11: Spanish phrases added for the Spanish contact form, pending the same
    sign-off and a review by a Spanish-speaking clinician.
  - 2026-12: both lists extended after a red-team run ("me voy a suicidar", "tengo
    ganas de morir", "me corto", "ya no aguanto", "I want to end it", "kms", common
    misspellings and variants), pending the same sign-off.

How matching works, on purpose:
- Both the message and the phrases are normalised the same way (see ``normalise``):
  case, accents, curly quotes, apostrophes, hyphens and runs of whitespace do not
  matter, so "Self-harm", "self harm" and "SELF  HARM" all match, "don't" and "dont",
  and "hacerme daño" and "hacerme dano" (people often type Spanish without accents).
- Every message is checked against both lists, whichever language its form was in:
  people mix languages.
- A phrase matches only as whole words: "suicide" does not match inside another word.
- There is no attempt to spot negation ("I'm not suicidal" is flagged). A request
  flagged by mistake costs a member of staff one early phone call; a request missed
  costs far more.
- Flagging never replaces staff reading every message: it only puts the request first
  and shows the sender the crisis resources straight away.
"""

import re
import unicodedata
from pathlib import Path

PHRASES_DIR = Path(__file__).resolve().parent / "risk_phrases"


def load_phrases(language: str) -> tuple[str, ...]:
    """The phrases in risk_phrases/<language>.txt: one a line, "#" starts a comment."""
    text = (PHRASES_DIR / f"{language}.txt").read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return tuple(line for line in lines if line)


RISK_PHRASES: tuple[str, ...] = load_phrases("en")
RISK_PHRASES_ES: tuple[str, ...] = load_phrases("es")

# Abbreviations that are also units: "kms" is "kill myself" in a text message, and
# kilometres after a number ("I live 20 kms away").
NOT_AFTER_A_NUMBER = frozenset({"kms"})

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
# Hyphens and dashes of every kind become spaces: "self-harm" == "self harm".
_DASHES = re.compile(r"[\u002d\u2010-\u2015\u2212\ufe58\ufe63\uff0d]+")


def normalise(text: str) -> str:
    """Lower-case, compatibility-fold, drop accents and apostrophes, turn dashes into
    spaces."""
    text = unicodedata.normalize("NFKD", text).casefold()
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.translate(_APOSTROPHES).replace("'", "")
    text = _DASHES.sub(" ", text)
    return " ".join(text.split())


def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted({normalise(phrase) for phrase in phrases}, key=len, reverse=True)

    def alternative(phrase: str) -> str:
        escaped = re.escape(phrase).replace(r"\ ", " ")
        return rf"(?<!\d)(?<!\d ){escaped}" if phrase in NOT_AFTER_A_NUMBER else escaped

    body = "|".join(alternative(phrase) for phrase in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


_RISK_PATTERN = _pattern(RISK_PHRASES + RISK_PHRASES_ES)


def suggests_risk(text: str) -> bool:
    """True when the text contains any reviewed phrase, as whole words."""
    return bool(text) and _RISK_PATTERN.search(normalise(text)) is not None
