"""`make serve` and gunicorn.conf.py: the production server, started for real."""

import json
import os
import subprocess
import time

import pytest

from tests.servers import BASE_DIR, HTTPS, gunicorn, production_env, request

WORKERS = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Production settings under the project's gunicorn.conf.py: (port, log path)."""
    folder = tmp_path_factory.mktemp("serve")
    env = production_env(
        WEB_CONCURRENCY=str(WORKERS),
        DATABASE_URL=f"sqlite:///{folder / 'serve.sqlite3'}",
        REDIS_URL=None,
    )
    log = folder / "gunicorn.log"
    with gunicorn(env, log, settings="clinic_site.settings") as (port, _):
        yield port, log


def log_lines(log):
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def test_the_proxy_is_believed_about_https(server):
    port, _ = server

    status, headers, body = request(port, "/healthz", headers=HTTPS)
    assert status == 200 and json.loads(body) == {"status": "ok"}
    # The proxy said https: HSTS is sent (Django sends it only on secure requests).
    assert "max-age=" in headers["Strict-Transport-Security"]
    # The proxy said http: the app redirects to https.
    status, headers, _ = request(
        port, "/privacy/", headers={"Host": "clinic.example", "X-Forwarded-Proto": "http"}
    )
    assert status == 301 and headers["Location"] == "https://clinic.example/privacy/"


def test_the_access_log_has_no_query_strings_and_no_client_address(server):
    port, log = server

    request(port, "/healthz?email=someone%40example.com", method="POST", headers=HTTPS)
    request(port, "/healthz", headers=HTTPS)
    time.sleep(0.3)  # a real clock: gunicorn's workers write the access log on their own

    lines = log_lines(log)
    access = [line["message"] for line in lines if line["logger"] == "gunicorn.access"]
    assert "GET /healthz 200" in " ".join(access)
    assert any(message.startswith("POST /healthz ") for message in access)
    everything = json.dumps(lines)
    assert "someone" not in everything and "email=" not in everything
    assert "127.0.0.1 " not in " ".join(access)


def test_the_worker_count_follows_web_concurrency(server):
    _, log = server

    booted = [line for line in log_lines(log) if line["message"].startswith("Booting worker")]

    assert len(booted) == WORKERS


def test_it_listens_on_port_and_only_on_loopback(server):
    port, log = server

    listening = [line["message"] for line in log_lines(log) if "Listening at" in line["message"]]

    # Only the proxy on the same host may reach the app.
    assert listening and listening[0].startswith(f"Listening at: http://127.0.0.1:{port} ")


def test_make_serve_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}

    result = subprocess.run(
        ["make", "serve"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
