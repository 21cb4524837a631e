"""Does a message suggest a risk of suicide or self-harm?

CLINICAL REVIEW: a clinician reviews RISK_PHRASES before any change is merged and at
least once a year. Record each review here.
  - 2026-11: initial list, pending sign-off by the clinic's medical director.
  - 2026-11: Spanish phrases (RISK_PHRASES_ES) added for the Spanish contact form,
    pending the same sign-off and a review by a Spanish-speaking clinician.

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

# Each entry is a word or phrase as a person might write it. Add variants rather than
# stems: whole-word matching means "suicide" does not cover "suicidal".
RISK_PHRASES: tuple[str, ...] = (
    # Suicide
    "suicide",
    "suicidal",
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "end it all",
    "ending it all",
    "take my own life",
    "taking my own life",
    "take my life",
    "unalive myself",
    "want to die",
    "wanna die",
    "wish I was dead",
    "wish I were dead",
    "better off dead",
    "better off without me",
    "don't want to live",
    "do not want to live",
    "don't want to be alive",
    "do not want to be alive",
    "don't want to be here anymore",
    "don't want to exist",
    "do not want to exist",
    "no reason to live",
    "nothing to live for",
    "plan to die",
    "hang myself",
    "shoot myself",
    "jump off a bridge",
    # Self-harm
    "self-harm",
    "self harming",
    "self harmed",
    "selfharm",
    "harm myself",
    "harming myself",
    "hurt myself",
    "hurting myself",
    "cut myself",
    "cutting myself",
    # Not "overdose" alone: people often ask whether ketamine can cause one, and a flag
    # on every such question would teach staff to ignore the flag.
    "take an overdose",
    "taking an overdose",
    "took an overdose",
    "want to overdose",
    "going to overdose",
    "thinking about overdosing",
    "thinking of overdosing",
    "overdose on purpose",
    "overdosed on purpose",
    "take all my pills",
)

# The same, in Spanish as people write it (with or without accents, "usted" or "tú").
RISK_PHRASES_ES: tuple[str, ...] = (
    # Suicidio
    "suicidio",
    "suicidarme",
    "suicida",
    "suicidas",
    "me quiero suicidar",
    "quiero suicidarme",
    "matarme",
    "me quiero matar",
    "quitarme la vida",
    "me quiero quitar la vida",
    "acabar con mi vida",
    "terminar con mi vida",
    "acabar con todo",
    "quiero morir",
    "quiero morirme",
    "me quiero morir",
    "ojalá estuviera muerto",
    "ojalá estuviera muerta",
    "estaría mejor muerto",
    "estaría mejor muerta",
    "estarían mejor sin mí",
    "no quiero vivir",
    "no quiero seguir viviendo",
    "no quiero estar aquí",
    "no quiero existir",
    "no tengo razón para vivir",
    "no tengo por qué vivir",
    "no vale la pena vivir",
    "ahorcarme",
    "pegarme un tiro",
    "tirarme de un puente",
    # Autolesión
    "autolesión",
    "autolesiones",
    "autolesionarme",
    "hacerme daño",
    "lastimarme",
    "cortarme",
    # Not "sobredosis" alone, for the same reason as "overdose" above.
    "tomar una sobredosis",
    "tomarme una sobredosis",
    "tomé una sobredosis",
    "me tomé una sobredosis",
    "quiero tomar una sobredosis",
    "sobredosis a propósito",
    "tomarme todas las pastillas",
)

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
    body = "|".join(re.escape(phrase).replace(r"\ ", " ") for phrase in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


_RISK_PATTERN = _pattern(RISK_PHRASES + RISK_PHRASES_ES)


def suggests_risk(text: str) -> bool:
    """True when the text contains any reviewed phrase, as whole words."""
    return bool(text) and _RISK_PATTERN.search(normalise(text)) is not None
