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
}

CURRENT_VERSION = "2026-11"


def current_text() -> str:
    return CONSENT_TEXTS[CURRENT_VERSION]
