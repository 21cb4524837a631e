"""Published consent texts are a record: they never change, only gain new versions."""

import hashlib

from clinic_site.intake import consent

# sha256 of each published text. If this test fails you edited a published text:
# put the old words back and add a new version instead.
PUBLISHED = {
    "2026-11": "9502f36a7db57b4df864e76488859f6b56e5146e38b7f841fb41ddac60fb00f0",
    "2026-12": "9502f36a7db57b4df864e76488859f6b56e5146e38b7f841fb41ddac60fb00f0",
    "2026-12-es": "5773460ade0960fbb4f1b86f4675de65caecbdeaff8da8d47f9e0519dec29fca",
    "2026-12b": "9502f36a7db57b4df864e76488859f6b56e5146e38b7f841fb41ddac60fb00f0",
    "2026-12b-es": "5773460ade0960fbb4f1b86f4675de65caecbdeaff8da8d47f9e0519dec29fca",
}


def test_published_consent_texts_are_unchanged():
    for version, digest in PUBLISHED.items():
        text = consent.CONSENT_TEXTS[version]
        assert hashlib.sha256(text.encode()).hexdigest() == digest, version
