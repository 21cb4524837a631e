"""Test settings: production settings, made fast and isolated.

Tests run with DEBUG off (what patients get), a throwaway MEDIA_ROOT, email in memory
and the fast password hasher. HTTPS redirects are off so the test client can use
plain HTTP; the security tests turn them back on where they check them.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")


def _redis_url_for_this_worker() -> None:
    """`make test` runs pytest-xdist workers, and the suite empties its Redis database
    between tests: each worker (gw0, gw1, ...) gets the database numbered below the
    previous one's, so two workers never empty each other's. Done here, before the
    settings read REDIS_URL; processes a test starts inherit the result, and the marker
    stops them from moving it again."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = os.environ.get("REDIS_URL")
    if not url or not worker or os.environ.get("REDIS_URL_WORKER") == worker:
        return
    from urllib.parse import urlparse

    parsed = urlparse(url)
    number = int(parsed.path.strip("/") or 0) - int(worker.removeprefix("gw") or 0)
    os.environ["REDIS_URL"] = parsed._replace(path=f"/{number % 16}").geturl()
    os.environ["REDIS_URL_WORKER"] = worker


_redis_url_for_this_worker()
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
