"""What is kept of a search that found nothing: the words of a question, not a person.

A reader may type anything into the search box, including their own name, email
address or phone number. Before a term is stored it loses every email address and web
address, every word holding a digit (phone numbers, dates, ages, record numbers), and
every word that looks like a name: capitalised after the first word ("effects of
ketamine Maria"), two capitalised words in a row ("Maria Lopez"), or the word after a
title ("dr smith"). What is left is lower-cased; an empty result is not stored.

A lower-case name on its own ("lopez") cannot be told from a word, which is why terms
are shown to editors only once they were searched on several different days (see
figures.py) and are deleted after 90 days.
"""

import re

from .models import TERM_MAX_LENGTH

MAX_WORDS = 8
_EMAIL = re.compile(r"\S+@\S*")
_WEB_ADDRESS = re.compile(r"(?:https?://|www\.)\S*", re.IGNORECASE)
_NOT_A_WORD_CHARACTER = re.compile(r"[^\w'-]+")
# Titles that come before a name, in English and Spanish (lower case, without a dot).
TITLES = {
    "dr", "doctor", "doctora", "dra", "mr", "mrs", "ms", "miss", "mx", "prof", "professor",
    "nurse", "sr", "sra", "srta", "señor", "señora", "señorita", "don", "doña",
}  # fmt: skip


def _capitalised(word: str) -> bool:
    """ "Maria", "O'Neil", "McDonald": a capital followed by lower case somewhere."""
    return word[:1].isupper() and any(char.islower() for char in word[1:])


def clean_term(raw: str) -> str:
    text = (raw or "")[: TERM_MAX_LENGTH * 2]
    text = _EMAIL.sub(" ", text)
    text = _WEB_ADDRESS.sub(" ", text)
    words = [
        word.strip("'-")
        for word in _NOT_A_WORD_CHARACTER.sub(" ", text).split()
        if not any(char.isdigit() for char in word)
    ]
    words = [word for word in words if word and "_" not in word]
    kept = []
    after_title = False
    for index, word in enumerate(words):
        if after_title:
            after_title = False
            continue
        if word.lower() in TITLES:
            after_title = True
            continue
        if _capitalised(word):
            next_is_capitalised = index + 1 < len(words) and _capitalised(words[index + 1])
            previous_was = index > 0 and _capitalised(words[index - 1])
            if index > 0 or next_is_capitalised or previous_was:
                continue
        kept.append(word.lower())
    return " ".join(kept[:MAX_WORDS])[:TERM_MAX_LENGTH].strip()
