"""Run the real production settings (clinic_site.settings) in a separate process.

The test settings import the production ones and relax a few things; what production
does with a given environment is only seen by starting it with that environment.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

# Everything that could leak in from the developer's or CI's shell is set or removed.
CONFIG_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "SITE_URL",
    "REDIS_URL",
    "TRUST_X_FORWARDED_PROTO",
    "SECURE_SSL_REDIRECT",
    "HSTS_SECONDS",
    "HSTS_PRELOAD",
    "HSTS_INCLUDE_SUBDOMAINS",
    "PROXY_COUNT",
    "ADMIN_URL",
    "MEDIA_STORAGE",
    "SERVE_MEDIA",
    "EMAIL_BACKEND",
)


def fresh_clone_env(**overrides: str) -> dict[str, str]:
    """The developer's shell as on a fresh clone: none of the site's settings variables
    (and no DJANGO_SETTINGS_MODULE), so what runs manages without them."""
    env = {key: value for key, value in os.environ.items() if key not in CONFIG_VARIABLES}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # Set by this test process once it has a browser open (tests/frontend/conftest.py);
    # no shell has it, and production's deploy check refuses it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(overrides)
    return env


def production_env(**overrides: str) -> dict[str, str]:
    env = fresh_clone_env()
    env.update(
        DJANGO_SETTINGS_MODULE="clinic_site.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="clinic.example",
        CSRF_TRUSTED_ORIGINS="https://clinic.example",
        SITE_URL="https://clinic.example",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:///:memory:"),
    )
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run(command: list[str], env: dict[str, str], *, timeout: float = 120) -> str:
    """Run ``command`` from the project folder with ``env``; its stdout (it must succeed)."""
    result = subprocess.run(
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def run_python(code: str, env: dict[str, str]) -> str:
    """Run ``code`` in a fresh interpreter with ``env``; its stdout (it must succeed)."""
    return run([sys.executable, "-c", code], env, timeout=60).strip()


def settings_under(env: dict[str, str], *names: str) -> dict:
    """The named settings as production computes them from ``env``."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, "
        "default=str))"
    )
    return json.loads(run_python(code, env).splitlines()[-1])
