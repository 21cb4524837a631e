"""The production server, started for real: a free port, the production environment,
and gunicorn started with the project's gunicorn.conf.py and waited for.

Used by the tests that need real processes (tests/core/test_serve.py,
tests/core/test_pagecache.py, tests/intake/test_concurrency.py, tests/core/test_nginx.py)
and by the benchmark (bench/server.py), so every one of them starts, probes and stops the
server the same way. ``nginx`` runs Debian's nginx with a site file written by
`manage.py write_nginx_site`, as an ordinary process with its own folders.
"""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tests.core.production import BASE_DIR, manage, production_env, run_python

__all__ = [
    "BASE_DIR",
    "HTTPS",
    "GunicornDidNotStart",
    "free_port",
    "gunicorn",
    "manage",
    "nginx",
    "nginx_binary",
    "production_env",
    "request",
    "run_python",
    "start",
    "stop",
]

# A request as it arrives from the TLS-terminating proxy, for the host production_env
# allows.
HTTPS = {"Host": "clinic.example", "X-Forwarded-Proto": "https"}


class GunicornDidNotStart(RuntimeError):
    """gunicorn exited, or did not answer /healthz in time; the message ends with its log."""


def free_port() -> int:
    """A port nothing listens on now (the system picks it)."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port, path, *, method="GET", headers=None, body=None, timeout=10):
    """One request, redirects not followed: (status, headers, body).

    The headers are http.client's message: names match in any case, and a header sent
    more than once (Set-Cookie) keeps every value (``headers.get_all(name)``).
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    log_path: Path,
    *,
    settings: str = "clinic_site.settings_test",
    port: int | None = None,
    config: str | Path = "gunicorn.conf.py",
    arguments: Sequence[str] = (),
    start_timeout: float = 60,
):
    """gunicorn with ``env`` on a free port (or ``port``), ready; yields (port, process).

    Ready means /healthz answered 200 to a request from the proxy. Pages need static
    files, so by default the server runs the test settings: the production ones, with
    static files served from the source folders instead of collectstatic's manifest.
    ``config`` and ``arguments`` go to gunicorn's command line as they are; the project's
    gunicorn.conf.py binds to PORT, which is set to the chosen port.
    """
    port = port or free_port()
    env = {**env, "DJANGO_SETTINGS_MODULE": settings, "PORT": str(port), "PYTHONUNBUFFERED": "1"}
    with log_path.open("ab") as log:
        process = start(
            [sys.executable, "-m", "gunicorn", "--config", str(config), *arguments], env, log
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
                raise GunicornDidNotStart(
                    "gunicorn did not come up:\n" + log_path.read_text(errors="replace")[-3000:]
                )
            time.sleep(0.1)
        yield port, process
    finally:
        stop(process)


def start(command: Sequence[str | Path], env: dict[str, str], log) -> subprocess.Popen:
    """``command`` run from the project folder with ``env``, its output (stdout and
    stderr) into ``log``, an open file.

    It gets a process group of its own, so ``stop`` stops every process it starts
    (gunicorn's workers, a supervised worker, make's children), even when it is gone.
    """
    return subprocess.Popen(
        command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen, *, timeout: float = 30) -> None:
    """TERM to ``process``'s whole group (see ``start``), and KILL if it is not gone
    within ``timeout`` seconds."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def nginx_binary() -> str:
    """Debian's nginx (apt-get install nginx-light), or skip/fail (tests/services.py)."""
    from tests.services import missing

    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(path)),
        None,
    )
    if found is None:
        missing("needs Debian's nginx (apt-get install nginx-light), and none is installed")
    return found


@contextlib.contextmanager
def nginx(site: Path, port: int, folder: Path, *, start_timeout: float = 20):
    """nginx in the foreground serving ``site`` (it listens on ``port``), ready.

    Everything it writes (pid, temporary bodies, its error log) stays in ``folder``, so
    it needs no root and leaves the machine's own nginx alone.
    """
    folder.mkdir(parents=True, exist_ok=True)
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    # As root (CI), nginx's workers would switch to "nobody", who cannot read the
    # test's private folders; as anyone else it stays that user anyway.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""{user}worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {site};
}}
"""
    )
    command = [nginx_binary(), "-p", str(folder), "-c", str(conf), "-g", "daemon off;"]
    stderr = (folder / "stderr.log").open("wb")
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
    )
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), 1):
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                logs = [folder / "stderr.log", folder / "error.log"]
                text = "".join(log.read_text(errors="replace") for log in logs if log.exists())
                raise RuntimeError(f"nginx did not start:\n{text[-3000:]}")
            time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stderr.close()
