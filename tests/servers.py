"""The production server, started for real: a free port, the production environment,
and gunicorn started with the project's gunicorn.conf.py and waited for.

Used by the tests that need real processes (tests/core/test_serve.py,
tests/core/test_pagecache.py, tests/intake/test_concurrency.py).
"""

import contextlib
import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.core.production import BASE_DIR, manage, production_env, run_python

__all__ = ["BASE_DIR", "free_port", "gunicorn", "manage", "production_env", "request", "run_python"]

HTTPS = {"Host": "clinic.example", "X-Forwarded-Proto": "https"}


def free_port() -> int:
    """A port nothing listens on now (the system picks it)."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port, path, *, method="GET", headers=None, body=None, timeout=10):
    """One request, redirects not followed: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    log_path: Path,
    *,
    settings: str = "clinic_site.settings_test",
    start_timeout: float = 60,
):
    """gunicorn with ``env`` on a free port, ready; yields (port, process).

    Pages need static files, so by default the server runs the test settings: the
    production ones, with static files served from the source folders instead of
    collectstatic's manifest.
    """
    port = free_port()
    env = {**env, "DJANGO_SETTINGS_MODULE": settings, "PORT": str(port), "PYTHONUNBUFFERED": "1"}
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                if request(port, "/healthz", headers=HTTPS, timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not come up:\n" + log_path.read_text()[-3000:])
            time.sleep(0.1)
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
