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
    # 2026-12b: the privacy notice now says that requests left open with nothing done for
    # CONTACT_RETENTION_DAYS are listed for staff to close or keep (issue 23), that a
    # request records the article whose link led to the form, and what the site counts
    # about page views (issue 25). Same words.
    "2026-12b": (
        "I agree that the clinic may store the details I give here and use them to "
        "contact me about my request, as the privacy notice explains."
    ),
    "2026-12b-es": (
        "Acepto que la clínica guarde los datos que doy aquí y los use para comunicarse "
        "conmigo sobre mi solicitud, como explica el aviso de privacidad."
    ),
    # A phone call or walk-in logged by staff (intake.forms.StaffRequestForm): staff
    # ask, and tick the box for them.
    "2026-12-staff": (
        "They agreed, on the phone or in person, that the clinic may store the details "
        "they gave and use them to contact them about their request, as the privacy "
        "notice explains."
    ),
}

CURRENT_VERSION = "2026-12b"
# What staff read to a caller or a visitor before logging their request.
STAFF_LOGGED_VERSION = "2026-12-staff"
# The version a reader of each language agrees to (the form shows it in that language).
CURRENT_VERSIONS = {"en": CURRENT_VERSION, "es": "2026-12b-es"}


def version_for(language: str) -> str:
    return CURRENT_VERSIONS.get(language, CURRENT_VERSION)


def current_text(language: str = "en") -> str:
    return CONSENT_TEXTS[version_for(language)]
