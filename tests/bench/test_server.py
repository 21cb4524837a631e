"""The site the benchmark loads runs production settings, relaxed only where a load
test on loopback must be."""

from bench.server import site_env
from tests.core.production import settings_under


def test_the_benchmarked_site_runs_production_settings(tmp_path):
    env = site_env(f"sqlite:///{tmp_path / 'bench.sqlite3'}")

    found = settings_under(
        env, "DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "CONTACT_RATE_LIMIT", "EMAIL_BACKEND"
    )

    assert found["DEBUG"] is False
    assert found["ALLOWED_HOSTS"] == ["clinic.example"]
    # No TLS on loopback: the proxy's header says https instead of a redirect.
    assert found["SECURE_SSL_REDIRECT"] is False
    # Every POST comes from one address; the limiter would measure itself.
    assert found["CONTACT_RATE_LIMIT"] >= 1_000_000
    # A load test must never send email.
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.locmem.EmailBackend"
