"""Stopping the site finishes the requests in flight: Ctrl-C on `make serve`, for real.

scripts/serve.sh is what `make serve` runs (gunicorn with gunicorn.conf.py, and the task
worker). Ctrl-C sends SIGINT to the terminal's whole foreground group; the test sends
it the same way, to the script's process group, while two people are half-way through
sending the contact form (their bodies arrive slowly). Both must get the thank-you
redirect, both requests must be stored, and then everything must have exited. The
systemd unit stops gunicorn the same way (TERM to the master; deploy/systemd).
"""

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.servers import BASE_DIR, free_port, manage, production_env, request

pytestmark = pytest.mark.server

HOST = {"Host": "clinic.example", "X-Forwarded-Proto": "https"}


def form_body(port: int, number: int) -> tuple[bytes, str]:
    """A filled-in contact form with its tokens, and the CSRF cookie to send with it."""
    status, headers, body = request(port, "/contact/", headers=HOST)
    assert status == 200
    cookie = next(v.split(";", 1)[0] for v in headers.get_all("Set-Cookie") if "csrftoken=" in v)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', body.decode()))
    form = {
        "name": f"Slow sender {number}",
        "email": f"slow{number}@example.com",
        "preferred_contact_method": "email",
        "interest": "depression",
        "message": "Could infusions help with my depression?",
        "consent": "on",
        **fields,
    }
    return urlencode(form).encode(), cookie


def start_sending(port: int, body: bytes, cookie: str) -> socket.socket:
    """Headers and half the body: the request is in flight until the rest is sent."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=60)
    head = (
        "POST /contact/ HTTP/1.1\r\nHost: clinic.example\r\nX-Forwarded-Proto: https\r\n"
        "Origin: https://clinic.example\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    )
    connection.sendall(head.encode() + body[: len(body) // 2])
    return connection


def finish_sending(connection: socket.socket, body: bytes) -> bytes:
    connection.sendall(body[len(body) // 2 :])
    answer = b""
    while chunk := connection.recv(65536):
        answer += chunk
    connection.close()
    return answer


def processes_using(database: Path) -> list[int]:
    """The processes started with this test's database in their environment."""
    needle = f"sqlite:///{database}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        with contextlib.suppress(OSError):
            if needle in environ.read_bytes():
                found.append(int(environ.parent.name))
    return found


def test_ctrl_c_on_make_serve_lets_requests_in_flight_finish(tmp_path):
    port = free_port()
    database = tmp_path / "serve.sqlite3"
    pidfile = tmp_path / "gunicorn.pid"
    env = production_env(
        DJANGO_SETTINGS_MODULE="clinic_site.settings_test",  # static files from the source
        DATABASE_URL=f"sqlite:///{database}",
        REDIS_URL=None,
        PORT=str(port),
        WEB_CONCURRENCY="2",
        GUNICORN_PIDFILE=str(pidfile),
        CONTACT_RATE_LIMIT="1000",
        KEEP_RUNNING_DELAY="0",
    )
    assert manage("migrate", "--noinput", "--verbosity", "0", env=env).returncode == 0
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(
        # As from a terminal, Ctrl-C reaches the script: a test run started in the
        # background (a CI job, `make test &`) ignores SIGINT, and a shell cannot trap a
        # signal that was ignored when it started.
        ["env", "--default-signal=INT", "scripts/serve.sh", str(Path(sys.executable).parent)],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: the terminal's foreground group
    )
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                if request(port, "/healthz", headers=HOST, timeout=2)[0] == 200:
                    break
            time.sleep(0.1)
        else:
            pytest.fail((tmp_path / "serve.log").read_text()[-3000:])
        master = int(pidfile.read_text())
        forms = [form_body(port, number) for number in (1, 2)]
        in_flight = [start_sending(port, body, cookie) for body, cookie in forms]
        time.sleep(1)  # each is now being read by a worker

        os.killpg(serve.pid, signal.SIGINT)  # Ctrl-C
        time.sleep(1.5)  # real gunicorn processes finish the requests in flight
        answers = [finish_sending(c, body) for c, (body, _) in zip(in_flight, forms, strict=True)]

        assert serve.wait(timeout=40) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(serve.pid, signal.SIGKILL)
        # gunicorn and the task worker run in sessions of their own: if the script did
        # not stop them (a failed run), stop them here rather than leave them running.
        for pid in processes_using(database):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        log.close()

    output = (tmp_path / "serve.log").read_text()
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 302"), answer[:300]
        assert b"Location: /contact/thanks/" in answer
    with contextlib.closing(sqlite3.connect(database)) as db:
        names = {row[0] for row in db.execute("SELECT name FROM intake_contactrequest")}
    assert names == {"Slow sender 1", "Slow sender 2"}
    # Everything stopped, and nothing was killed for running late.
    with pytest.raises(ProcessLookupError):
        os.kill(master, 0)
    assert not pidfile.exists()
    assert (
        "SIGKILL" not in output
        and "task_worker"
        not in subprocess.run(
            ["pgrep", "-af", str(database)], capture_output=True, text=True, check=False
        ).stdout
    )
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
