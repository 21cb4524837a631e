"""One stable hash of an article's field values: how every concern of the article
knows whether two versions hold the same words (a sign-off and the live text, an
import and its file, a translation and its original, an editor's page and the row)."""

import hashlib
import json
from datetime import date

# Fields added after articles were first imported. Left out of the fingerprint while
# they hold their default, so rows imported before they existed still match their file
# (and a sign-off given before them still covers the same words).
LATER_FIELD_DEFAULTS = {"sources": [], "crisis_note": False, "key_facts": ""}


def fingerprint(values: dict) -> str:
    """A stable hash of an article's field values, for change detection."""
    normalised = {
        key: (value.isoformat() if isinstance(value, date) else value)
        for key, value in values.items()
        if not (key in LATER_FIELD_DEFAULTS and value == LATER_FIELD_DEFAULTS[key])
    }
    if isinstance(normalised.get("body"), str):
        normalised["body"] = normalised["body"].replace("\r\n", "\n").strip()
    payload = json.dumps(normalised, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()
