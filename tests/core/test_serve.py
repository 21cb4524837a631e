"""`make serve` and gunicorn.conf.py: the production server, started for real."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from contextlib import closing

import pytest

from tests.core.production import BASE_DIR, production_env

PORTS = range(8121, 8140)  # the range this project's tests may listen on


def free_port() -> int:
    for port in PORTS:
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.fail("no free port in 8121-8139")


def request(port, path, *, method="GET", headers=None):
    """One request, redirects not followed: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    env = production_env(
        PORT=str(port),
        WEB_CONCURRENCY="2",
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        REDIS_URL=None,
    )
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                if request(port, "/healthz", headers={"Host": "clinic.example"})[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            log.seek(0)
            pytest.fail("gunicorn did not come up:\n" + log.read()[-3000:])
        yield port, log
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def log_lines(log):
    log.flush()
    log.seek(0)
    return [json.loads(line) for line in log.read().splitlines() if line.startswith("{")]


def test_gunicorn_serves_behind_the_proxy_with_json_logs_and_no_query_strings(gunicorn):
    port, log = gunicorn
    https = {"Host": "clinic.example", "X-Forwarded-Proto": "https"}

    status, headers, body = request(port, "/healthz", headers=https)
    assert status == 200 and json.loads(body) == {"status": "ok"}
    # The proxy said https: HSTS is sent (Django sends it only on secure requests).
    assert "max-age=" in headers["Strict-Transport-Security"]
    # The proxy said http: the app redirects to https.
    status, headers, _ = request(
        port, "/privacy/", headers={"Host": "clinic.example", "X-Forwarded-Proto": "http"}
    )
    assert status == 301 and headers["Location"] == "https://clinic.example/privacy/"
    request(port, "/healthz?email=someone%40example.com", method="POST", headers=https)
    time.sleep(0.3)

    lines = log_lines(log)
    access = [line["message"] for line in lines if line["logger"] == "gunicorn.access"]
    assert "GET /healthz 200" in " ".join(access)
    assert any(message.startswith("POST /healthz ") for message in access)
    everything = json.dumps(lines)
    assert "someone" not in everything and "email=" not in everything
    assert "127.0.0.1 " not in " ".join(access)  # no client address
    booted = [line for line in lines if line["message"].startswith("Booting worker")]
    assert len(booted) == 2  # WEB_CONCURRENCY


def test_gunicorn_config_defaults():
    code = (
        "import runpy, json; c = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps({k: c[k] for k in ('bind', 'workers', 'timeout', "
        "'graceful_timeout', 'forwarded_allow_ips', 'access_log_format')}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "WEB_CONCURRENCY")}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    config = json.loads(result.stdout)

    assert config["bind"] == "127.0.0.1:8000"
    assert config["workers"] == min(os.cpu_count() + 1, 12)
    assert config["timeout"] == 30 and config["graceful_timeout"] == 30
    assert config["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert "%(U)s" in config["access_log_format"]
    assert "%(r)s" not in config["access_log_format"] and "%(q)s" not in config["access_log_format"]


def test_make_serve_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}

    result = subprocess.run(
        ["make", "serve"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
