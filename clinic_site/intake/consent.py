"""The consent a person gives on the contact form, by version.

Each request stores the version its sender agreed to, so these texts are a record:
never edit a published one. To change the wording (or to change what the privacy
notice says about contact requests), add a new version and point CURRENT_VERSION at it;
the old texts stay so every stored request can still be matched to the words its sender
saw. tests/intake/test_consent.py pins the published texts.
"""

CONSENT_TEXTS: dict[str, str] = {
    "2026-11": (
        "I agree that the clinic may store the details I give here and use them to "
        "contact me about my request, as the privacy notice explains."
    ),
    # 2026-12: the privacy notice now says that a request records the language of the
    # form and the language the person wants to be contacted in (issue 16). Same words.
    "2026-12": (
        "I agree that the clinic may store the details I give here and use them to "
        "contact me about my request, as the privacy notice explains."
    ),
    # The same consent as 2026-12, as Spanish readers see it on /es/contact/.
    "2026-12-es": (
        "Acepto que la clínica guarde los datos que doy aquí y los use para comunicarse "
        "conmigo sobre mi solicitud, como explica el aviso de privacidad."
    ),
    # 2026-12b: the privacy notice now says that a request records the article whose link
    # led to the form, and what the site counts about page views (issue 25). Same words.
    "2026-12b": (
        "I agree that the clinic may store the details I give here and use them to "
        "contact me about my request, as the privacy notice explains."
    ),
    "2026-12b-es": (
        "Acepto que la clínica guarde los datos que doy aquí y los use para comunicarse "
        "conmigo sobre mi solicitud, como explica el aviso de privacidad."
    ),
}

CURRENT_VERSION = "2026-12b"
# The version a reader of each language agrees to (the form shows it in that language).
CURRENT_VERSIONS = {"en": CURRENT_VERSION, "es": "2026-12b-es"}


def version_for(language: str) -> str:
    return CURRENT_VERSIONS.get(language, CURRENT_VERSION)


def current_text(language: str = "en") -> str:
    return CONSENT_TEXTS[version_for(language)]
