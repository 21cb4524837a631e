"""Clinic details, the urgent-help wording and the page's languages, for every template."""

from django.conf import settings
from django.urls import translate_url

from .languages import is_spanish


def clinic(request):
    spanish = is_spanish()
    return {
        "clinic": {
            "name": settings.CLINIC_NAME,
            "address": settings.CLINIC_ADDRESS,
            "phone": settings.CLINIC_PHONE,
            "email": settings.CLINIC_EMAIL,
            "hours": settings.CLINIC_HOURS_ES if spanish else settings.CLINIC_HOURS,
            "fees": settings.CLINIC_FEES_ES if spanish else settings.CLINIC_FEES,
        },
        "urgent_help": {
            "text": settings.URGENT_HELP_TEXT_ES if spanish else settings.URGENT_HELP_TEXT,
            "phone": settings.URGENT_HELP_PHONE,
            "emergency_phone": settings.EMERGENCY_PHONE,
            "text_number": settings.URGENT_HELP_TEXT_NUMBER,
            "crisis_note": settings.CRISIS_NOTE_TEXT_ES if spanish else settings.CRISIS_NOTE_TEXT,
            # 988 in Spanish: this option on the phone menu, this word by text.
            "phone_option": settings.URGENT_HELP_PHONE_OPTION_ES if spanish else "",
            "text_keyword": settings.URGENT_HELP_TEXT_KEYWORD_ES if spanish else "",
        },
        "when_to_get_help": {
            "emergency": (
                settings.WHEN_TO_GET_HELP_EMERGENCY_ES
                if spanish
                else settings.WHEN_TO_GET_HELP_EMERGENCY
            ),
            "clinic": (
                settings.WHEN_TO_GET_HELP_CLINIC_ES if spanish else settings.WHEN_TO_GET_HELP_CLINIC
            ),
        },
    }


def languages(request):
    """This page in each language: the language link and the hreflang alternates.

    By default a page lives at the same address in both languages (/contact/ and
    /es/contact/); a view whose page differs by language (an article and its
    translation) passes its own ``language_urls`` and ``hreflang_alternates``.
    """
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {}
    urls = {code: translate_url(request.path, code) for code, _name in settings.LANGUAGES}
    if len(set(urls.values())) < len(urls):
        return {}  # an address outside the /es/ patterns (staff pages): English only
    return {"language_urls": urls, "hreflang_alternates": urls}
