"""The site's two languages: one enum and "which language is this page in".

Every app that stores or checks a language uses these, so "Spanish" is decided in one
place (the page's language comes from LanguageFromPathMiddleware, core/middleware.py).
"""

from django.db import models
from django.utils import translation


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


def current_language() -> Language:
    """The page's language ("en" for anything not Spanish)."""
    return Language.SPANISH if translation.get_language() == Language.SPANISH else Language.ENGLISH


def is_spanish(language: str | None = None) -> bool:
    """True for Spanish: the given language, or the page's when none is given."""
    if language is None:
        return current_language() == Language.SPANISH
    return language == Language.SPANISH
