"""Test settings: production settings, made fast and isolated.

Tests run with DEBUG off (what patients get), a throwaway MEDIA_ROOT, email in memory
and the fast password hasher. HTTPS redirects are off so the test client can use
plain HTTP; the security tests turn them back on where they check them.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
# The test client's host, so /monitor's SITE_URL check agrees with the requests it sees.
os.environ.setdefault("SITE_URL", "https://testserver")

from clinic_site.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# `make chaos` sends through a real local SMTP server (TEST_EMAIL_BACKEND); tests never.
EMAIL_BACKEND = (
    os.environ.get("TEST_EMAIL_BACKEND") or "django.core.mail.backends.locmem.EmailBackend"
)
MEDIA_ROOT = tempfile.mkdtemp(prefix="clinic-test-media-")
SECURE_SSL_REDIRECT = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the source folders; tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Readership counts are flushed by the tests themselves (or at exit), not by a thread
# writing to the test database behind their back; gunicorn tests set their own.
READERSHIP_FLUSH_SECONDS = env_int("READERSHIP_FLUSH_SECONDS", 0)  # noqa: F405
