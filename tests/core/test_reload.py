"""`make reload` (scripts/reload.sh): new code under load, and not one failed request.

gunicorn, started the way `make serve` starts it (gunicorn.conf.py, preloaded app),
answers a steady stream of requests from several clients while the reload swaps its
master: every request must get its 200, and afterwards a new master (a fresh
interpreter, so the code on disk) serves with new workers.
"""

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.core.production import BASE_DIR, manage, production_env
from tests.servers import free_port, request, start, stop

CLIENTS = 6
# Each client pauses this long between requests: a steady stream with requests always in
# flight (each takes longer than the pause), without the clients and the server spending
# the machine's every cycle, which a load test in the suite has no need to.
PAUSE = 0.02
PATHS = ["/privacy/", "/contact/", "/healthz"]
HEADERS = {"Host": "clinic.example", "X-Forwarded-Proto": "https"}


def load(port: int, stop: threading.Event, results: list, errors: list):
    number = 0
    while not stop.is_set():
        path = PATHS[number % len(PATHS)]
        number += 1
        # A new connection each time, as the proxy opens them.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", path, headers=HEADERS)
            response = connection.getresponse()
            response.read()
            results.append(response.status)
        except Exception as error:
            errors.append(f"{path}: {type(error).__name__}: {error}")
        finally:
            connection.close()
        stop.wait(PAUSE)


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(child) for child in found.stdout.split()]


def test_reload_under_load_loads_a_new_master_and_fails_no_request(tmp_path):
    port = free_port()
    pidfile = tmp_path / "gunicorn.pid"
    env = production_env(
        PORT=str(port),
        WEB_CONCURRENCY="2",
        GUNICORN_PIDFILE=str(pidfile),
        DATABASE_URL=f"sqlite:///{tmp_path / 'reload.sqlite3'}",
        REDIS_URL=None,
        # Static files from the source folders: the test runs no collectstatic.
        DJANGO_SETTINGS_MODULE="clinic_site.settings_test",
    )
    assert manage("migrate", "--noinput", env=env).returncode == 0
    log = (tmp_path / "gunicorn.log").open("w+")
    # The entry script, as `make serve` runs it: USR2 re-executes the same command, and
    # `python -m gunicorn` would then put gunicorn's own http package first on the path,
    # shadowing the standard library's.
    server = start(
        [Path(sys.executable).parent / "gunicorn", "--config", "gunicorn.conf.py"], env, log
    )
    new_master = None
    try:
        for _ in range(150):
            try:
                if request(port, "/healthz", headers=HEADERS)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        old_master = int(pidfile.read_text())
        old_workers = children(old_master)

        stop, results, errors = threading.Event(), [], []
        clients = [
            threading.Thread(target=load, args=(port, stop, results, errors))
            for _ in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        time.sleep(1.5)  # real load on the real server before the reload ...
        before = len(results)
        reload = subprocess.run(
            ["scripts/reload.sh", str(pidfile), str(port)],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
        time.sleep(2)  # ... and after it
        stop.set()
        for client in clients:
            client.join(timeout=60)

        assert reload.returncode == 0, reload.stderr
        new_master = int(pidfile.read_text())
        log.seek(0)
        assert errors == [], f"{errors[:5]}\n{log.read()[-3000:]}"
        assert set(results) == {200}
        assert len(results) - before > 50  # the load went on through the reload
        assert new_master != old_master
        assert server.pid == old_master
        server.wait(timeout=30)  # the old master finished its last requests and exited
        assert children(new_master) and not set(children(new_master)) & set(old_workers)
        assert request(port, "/healthz", headers=HEADERS)[0] == 200
    finally:
        for pid in (new_master, server.pid):
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
        server.wait(timeout=30)
        if new_master:
            for _ in range(100):
                if not os.path.exists(f"/proc/{new_master}"):
                    break
                time.sleep(0.1)
        log.close()


@pytest.mark.parametrize("pid", ["999999999"])
def test_reload_refuses_when_no_server_runs(tmp_path, pid):
    pidfile = tmp_path / "gunicorn.pid"
    pidfile.write_text(pid)

    result = subprocess.run(
        ["scripts/reload.sh", str(pidfile)], cwd=BASE_DIR, capture_output=True, text=True
    )

    assert result.returncode != 0


def test_make_serve_keeps_serving_with_the_new_master_after_make_reload(tmp_path):
    port = free_port()
    pidfile = tmp_path / "gunicorn.pid"
    env = production_env(
        PORT=str(port),
        PIDFILE=str(pidfile),
        WEB_CONCURRENCY="2",
        ALLOWED_HOSTS="clinic.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        REDIS_URL=None,
    )
    log = (tmp_path / "serve.log").open("w+")
    serve = start(["make", "serve"], env, log)
    try:
        # On a fresh clone `make serve` first builds .venv-prod (pip, a minute or more on
        # a busy machine), then starts gunicorn.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and serve.poll() is None:
            with contextlib.suppress(OSError):
                if request(port, "/healthz", headers=HEADERS)[0] == 200 and pidfile.exists():
                    break
            time.sleep(0.2)
        log.seek(0)
        assert pidfile.exists(), "make serve did not come up:\n" + log.read()[-3000:]
        old_master = int(pidfile.read_text())

        reload = subprocess.run(
            ["make", "reload"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
        )
        time.sleep(3)  # `make serve` used to stop here, taking the new master with it

        assert reload.returncode == 0, reload.stderr
        assert serve.poll() is None
        assert int(pidfile.read_text()) != old_master
        assert request(port, "/healthz", headers=HEADERS)[0] == 200
    finally:
        stop(serve, timeout=60)
        for _ in range(300):  # the masters finish their last requests and remove the file
            if not pidfile.exists() and not pidfile.with_name(pidfile.name + ".2").exists():
                break
            time.sleep(0.1)
        log.close()
    # make and scripts/serve.sh both got TERM (make passes it on too): the masters were
    # still stopped, not left running on their own.
    assert not pidfile.exists() and not pidfile.with_name(pidfile.name + ".2").exists()
