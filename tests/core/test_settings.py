"""Production configuration comes from the environment, with safe defaults."""

import subprocess
import sys

import pytest

from tests.core.production import BASE_DIR, manage, production_env, settings_under


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env=production_env(SECRET_KEY=None))

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_trusts_the_proxy_by_default_and_can_be_told_not_to():
    trusted = settings_under(production_env(), "SECURE_PROXY_SSL_HEADER", "PROXY_COUNT")
    assert trusted == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "PROXY_COUNT": 1,
    }

    direct = settings_under(
        production_env(TRUST_X_FORWARDED_PROTO="0"), "SECURE_PROXY_SSL_HEADER", "PROXY_COUNT"
    )
    assert direct == {"SECURE_PROXY_SSL_HEADER": None, "PROXY_COUNT": 0}


def test_production_defaults_are_the_strict_ones():
    values = settings_under(
        production_env(),
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_AGE",
    )
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 63072000,
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_AGE": 1800,
    }


def test_hsts_and_the_admin_address_are_configurable():
    env = production_env(HSTS_SECONDS="31536000", ADMIN_URL="/back-office/")

    values = settings_under(env, "SECURE_HSTS_SECONDS", "ADMIN_URL")

    assert values == {"SECURE_HSTS_SECONDS": 31536000, "ADMIN_URL": "back-office/"}


def test_postgresql_from_database_url_uses_psycopg_with_persistent_connections():
    env = production_env(DATABASE_URL="postgres://clinic:pw@db.internal:5432/clinic")

    database = settings_under(env, "DATABASES")["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "clinic" and database["HOST"] == "db.internal"
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_without_database_url_the_database_is_sqlite():
    database = settings_under(production_env(DATABASE_URL=None), "DATABASES")["DATABASES"]

    assert database["default"]["ENGINE"] == "django.db.backends.sqlite3"


def test_redis_url_puts_cache_and_sessions_in_redis():
    with_redis = settings_under(
        production_env(REDIS_URL="redis://cache.internal:6379/0"), "CACHES", "SESSION_ENGINE"
    )
    assert with_redis["CACHES"]["default"]["BACKEND"] == (
        "clinic_site.core.circuit_breaker.CircuitBreakerRedisCache"  # django-redis behind a breaker
    )
    assert with_redis["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/0"
    assert with_redis["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"

    without = settings_under(production_env(REDIS_URL=None), "CACHES", "SESSION_ENGINE")
    assert without["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert without["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MEDIA_STORAGE", "ftp", "MEDIA_STORAGE"),
        # Without django-storages installed (pip install -e '.[s3]') or a bucket.
        ("MEDIA_STORAGE", "s3", "MEDIA_STORAGE=s3 needs"),
        ("DEBUG", "maybe", "DEBUG"),
        ("AXES_FAILURE_LIMIT", "five", "AXES_FAILURE_LIMIT"),
    ],
)
def test_a_bad_value_stops_startup_and_names_the_variable(variable, value, message):
    result = manage("check", env=production_env(**{variable: value}))

    assert result.returncode != 0
    assert message in result.stderr


def test_the_admin_moves_with_admin_url():
    code = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'), reverse('admin:login'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=production_env(ADMIN_URL="back-office"),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.split() == ["/back-office/", "/back-office/login/"]


@pytest.mark.parametrize("site_url", [None, "", "http://clinic.example", "clinic.example"])
def test_production_refuses_to_start_without_an_https_site_url(site_url):
    result = manage("check", env=production_env(SITE_URL=site_url))

    assert result.returncode != 0
    assert "SITE_URL must be the site's public https address" in result.stderr


def test_development_defaults_the_site_url_to_this_machine():
    env = production_env(DEBUG="1", SITE_URL=None)
    assert settings_under(env, "SITE_URL") == {"SITE_URL": "http://127.0.0.1:8000"}


def test_make_run_derives_the_site_url_from_the_port():
    env = {key: value for key, value in production_env().items() if key != "SITE_URL"}
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", "PORT=8731"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout

    assert 'SITE_URL="${SITE_URL:-http://127.0.0.1:8731}"' in dry_run
