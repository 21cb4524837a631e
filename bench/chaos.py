"""`make chaos`: contact-form load while the site's processes and database are broken.

For about a minute, CONNECTIONS clients each fill in and send the contact form again
and again, the way people do: load the form, send it, and if the connection drops or
the "not sent" page comes back, press "Send" again (the same form, so the same one-time
token) after a pause. Meanwhile:

- a random gunicorn worker is killed (SIGKILL) every few seconds;
- the task worker is killed (SIGKILL) now and then; scripts/keep-running.sh restarts it;
- the database is cut for CUT_SECONDS: on PostgreSQL the database refuses connections
  and its sessions are ended; on SQLite another process holds the write lock;
- the mail server is stopped for SMTP_CUT_SECONDS: staff emails go through a real SMTP
  server on 127.0.0.1 (tests/smtp_sink.py, started here), which refuses connections
  meanwhile.

One person in ten writes words that mark the request urgent, and nobody at the front
desk acts on anything, so every urgent request is escalated (URGENT_ESCALATION_MINUTES
is 1 here). Then it waits for the notifications and prints: thank-yous (forms that
ended on the thank-you page), rows stored, rows notified, lost (thanked but not
stored: must be 0), duplicates (one form stored twice), unannounced (stored, but no
email about it reached the mail server: must be 0), urgent requests never escalated
(must be 0), not sent (people told to call, nothing stored), and the longest time from
a row's arrival to its staff email.

    make chaos                                  # SQLite (a throwaway file)
    DATABASE_URL=postgres://.../scratch make chaos   # PostgreSQL: the database is used
                                                # as is; use a scratch one

Results: bench/results/chaos-latest.md (and the table in docs/reliability.md).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.posts import csrf_cookie  # noqa: E402
from bench.report import RESULTS  # noqa: E402
from bench.server import children, run_or_exit  # noqa: E402
from bench.server import site_env as benchmark_env  # noqa: E402
from tests.servers import free_port  # noqa: E402
from tests.servers import request as plain_request  # noqa: E402
from tests.smtp_sink import SmtpSink  # noqa: E402

# The browsers here talk to gunicorn directly, as 127.0.0.1 (no proxy in between).
HOST = "127.0.0.1"
VENV_BIN = Path(sys.executable).parent


def site_env(database_url: str, port: int) -> dict[str, str]:
    """The benchmark's production environment, answering to 127.0.0.1 as well."""
    return {
        **benchmark_env(database_url),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,clinic.example",
        "SITE_URL": f"https://{HOST}:{port}",
    }


def request(port: int, path: str, method: str = "GET", headers=None, body=None):
    """(status, headers, body) of one request through the (pretend) TLS proxy."""
    headers = {"X-Forwarded-Proto": "https", **(headers or {})}
    return plain_request(port, path, method=method, headers=headers, body=body)


CONNECTIONS = 16
DURATION = 60.0
CUT_AT, CUT_SECONDS = 20.0, 20.0
KILL_WEB_EVERY = 6.0
KILL_TASK_WORKER_EVERY = 15.0
RETRY_PAUSE = 2.0
SMTP_CUT_AT, SMTP_CUT_SECONDS = 30.0, 20.0
URGENT_EVERY = 10  # one person in ten writes words that mark the request urgent
GIVE_UP_AFTER = 60.0  # a person keeps trying this long, then calls instead
NOTIFY_WAIT = 240.0  # a row claimed by a killed worker is due again after its lease
HEADERS = {"X-Forwarded-Proto": "https"}

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission_token" value="([^"]+)"')


@dataclass
class Tally:
    thanked: list[str] = field(default_factory=list)
    not_sent: list[str] = field(default_factory=list)
    retries: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str):
        with self.lock:
            self.statuses[what] = self.statuses.get(what, 0) + 1


def one_person(port: int, name: str, tally: Tally, stop: threading.Event, urgent=False):
    """Load the form, send it, and send the same form again until thanked (or give up)."""
    try:
        status, headers, page = call(port, "GET", "/contact/")
    except (OSError, http.client.HTTPException) as error:
        tally.count(f"GET {type(error).__name__}")
        return
    tally.count(f"GET {status}")
    cookie = csrf_cookie(headers.get_all("Set-Cookie") or [])
    csrf, token = TOKEN.search(page), SUBMISSION.search(page)
    if status != 200 or not (cookie and csrf):
        return
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": csrf.group(1),
            # Absent from code before the one-time token (--root of an older checkout).
            "submission_token": token.group(1) if token else "",
            "name": name,
            "email": "chaos@example.com",
            "preferred_contact_method": "email",
            "interest": "depression",
            "message": "I want to end it (chaos test)"
            if urgent
            else "Could infusions help me? (chaos test)",
            "consent": "on",
            "website": "",
        }
    )
    post_headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"{cookie[0]}={cookie[1]}",
        # Over "https" (the proxy's header), Django's CSRF check wants the origin.
        "Origin": f"https://{HOST}:{port}",
        "Referer": f"https://{HOST}:{port}/contact/",
    }
    started = time.monotonic()
    while time.monotonic() - started < GIVE_UP_AFTER:
        try:
            status, headers, _ = call(port, "POST", "/contact/", body, post_headers)
            tally.count(f"POST {status}")
            if status == 302 and headers.get("Location") == "/contact/thanks/":
                with tally.lock:
                    tally.thanked.append(name)
                return
        except (OSError, http.client.HTTPException) as error:  # a killed worker: dropped
            tally.count(f"POST {type(error).__name__}")
        with tally.lock:
            tally.retries += 1
        time.sleep(RETRY_PAUSE)
    with tally.lock:
        tally.not_sent.append(name)


def call(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=40)
    try:
        connection.request(method, path, body=body, headers={**HEADERS, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode(errors="replace")
    finally:
        connection.close()


def clients(port: int, tally: Tally, stop: threading.Event, prefix: str):
    sent = 0
    while not stop.is_set():
        sent += 1
        one_person(port, f"{prefix}-{sent}", tally, stop, urgent=sent % URGENT_EVERY == 0)


class DatabaseCut:
    """Make the database refuse writes (SQLite) or connections (PostgreSQL) for a while."""

    def __init__(self, database_url: str):
        self.url = database_url
        self.holder = None

    def start(self):
        if self.url.startswith("sqlite"):
            path = self.url.removeprefix("sqlite:///")
            self.holder = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.holder.execute("BEGIN EXCLUSIVE")
        else:
            self._postgres(cut=True)

    def stop(self):
        if self.holder is not None:
            self.holder.execute("ROLLBACK")
            self.holder.close()
            self.holder = None
        elif not self.url.startswith("sqlite"):
            self._postgres(cut=False)

    def _postgres(self, *, cut: bool):
        import psycopg
        from psycopg import sql

        server = urllib.parse.urlparse(self.url)
        name = server.path.lstrip("/")
        admin = server._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as db:
            db.execute(
                sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
                    sql.Identifier(name), sql.SQL("false" if cut else "true")
                )
            )
            if cut:
                db.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [name],
                )


COUNT = """
import json
from datetime import timedelta
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from clinic_site.intake.models import ContactRequest
rows = ContactRequest.objects.filter(name__startswith="{prefix}")
due = timezone.now() - timedelta(minutes=2)  # escalated by now: 1 minute, checked each minute
urgent = rows.filter(urgent=True, created_at__lt=due).annotate(
    escalations=Count("notifications", filter=Q(
        notifications__kind="escalation", notifications__sent_at__isnull=False)))
print("CHAOS", json.dumps({{
    "names": list(rows.values_list("name", flat=True)),
    "numbers": list(rows.values_list("pk", flat=True)),
    "notified": rows.exclude(notified_at=None).count(),
    "urgent": rows.filter(urgent=True).count(),
    "urgent_due": urgent.count(),
    "not_escalated": list(urgent.filter(escalations=0).values_list("pk", flat=True)),
    "longest": (rows.exclude(notified_at=None)
        .aggregate(m=Max(F("notified_at") - F("created_at")))["m"] or 0).__str__(),
}}))
"""


ANNOUNCEMENT = re.compile(r"(?:New|Urgent: new) contact request #(\d+)")


def announced_numbers(sink: SmtpSink) -> set[int]:
    """The requests whose staff email reached the mail server."""
    return {int(m.group(1)) for s in sink.subjects if (m := ANNOUNCEMENT.match(s))}


def task_worker_pids(process: subprocess.Popen) -> list[int]:
    """The task worker: the process itself, or the manage.py that keep-running.sh runs."""
    if process.poll() is not None:
        return []
    if b"keep-running" not in _cmdline(process.pid):
        return [process.pid]
    return [pid for pid in children(process.pid) if b"manage.py" in _cmdline(pid)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # gone already
        return b""


class Site:
    """gunicorn (the checkout's gunicorn.conf.py) on loopback, from ``root``."""

    def __init__(self, root: Path, env: dict, port: int, log: Path):
        self.port = port
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--config", "gunicorn.conf.py"],
            cwd=root,
            env={**env, "PORT": str(port)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stopped with every worker
        )

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if request(self.port, "/healthz")[0] == 200:
                    time.sleep(1)  # every worker booted
                    return self
            time.sleep(0.3)
        self.__exit__()
        sys.exit(f"gunicorn did not answer /healthz within 60 s; see {self.log.name}")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        self.log.close()

    def workers(self) -> list[int]:
        return children(self.process.pid)


def manage(root: Path, env: dict, *args: str) -> str:
    command = [str(VENV_BIN / "python"), "manage.py", *args]
    return run_or_exit(f"manage.py {' '.join(args)}", command, env, root=root)


def database_state(root: Path, env: dict, prefix: str) -> dict:
    import json

    output = manage(root, env, "shell", "-c", COUNT.format(prefix=prefix))
    line = next(line for line in output.splitlines() if line.startswith("CHAOS "))
    return json.loads(line.removeprefix("CHAOS "))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=DURATION)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the checkout to run (an unpacked older commit, to compare); default: this one",
    )
    parser.add_argument(
        "--worker",
        default="scripts/keep-running.sh {python} manage.py task_worker --interval 0.5",
        help="the task worker command, run in --root; before this work it was "
        "'{python} manage.py db_worker --interval 0.5' (nothing restarted it)",
    )
    args = parser.parse_args()
    root = args.root.resolve()

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    database_url = (
        os.environ.get("DATABASE_URL") or f"sqlite:///{RESULTS / f'chaos-{stamp}.sqlite3'}"
    )
    port = free_port()
    env = site_env(database_url, port)
    # A real mail server on loopback, which keeps what it receives (and is stopped for
    # SMTP_CUT_SECONDS below): what reaches it is what is measured.
    sink = SmtpSink().start()
    # Static files from the source folders, so no collectstatic is needed; otherwise the
    # production settings.
    env.update(
        DJANGO_SETTINGS_MODULE="clinic_site.settings_test",
        WEB_CONCURRENCY="3",
        KEEP_RUNNING_DELAY="1",
        REDIS_URL=os.environ.get("REDIS_URL", ""),
        TEST_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.port),
        URGENT_ESCALATION_MINUTES="1",
    )
    print(f"Database: {database_url.split('@')[-1]}; migrating ...", flush=True)
    manage(root, env, "migrate", "--noinput")

    log = RESULTS / f"chaos-{stamp}.log"
    worker_log = (RESULTS / f"chaos-{stamp}-worker.log").open("w")
    supervisor = subprocess.Popen(
        args.worker.format(python=VENV_BIN / "python").split(),
        cwd=root,
        env=env,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    tally = Tally()
    events = []
    cut = DatabaseCut(database_url)
    try:
        with Site(root, env, port, log) as server:
            stop = threading.Event()
            threads = [
                threading.Thread(
                    target=clients, args=(port, tally, stop, f"Chaos {stamp} {n}"), daemon=True
                )
                for n in range(1, args.connections + 1)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            next_web, next_task, cut_done, cutting = (
                KILL_WEB_EVERY,
                KILL_TASK_WORKER_EVERY,
                False,
                False,
            )
            smtp_cut_done = False
            while (elapsed := time.monotonic() - started) < args.duration:
                if elapsed >= next_web and (workers := server.workers()):
                    os.kill(random.choice(workers), signal.SIGKILL)  # noqa: S311
                    events.append(f"{elapsed:5.1f}s kill -9 web worker")
                    next_web += KILL_WEB_EVERY
                if elapsed >= next_task and (task_workers := task_worker_pids(supervisor)):
                    for pid in task_workers:
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(pid, signal.SIGKILL)
                    events.append(f"{elapsed:5.1f}s kill -9 task worker")
                    next_task += KILL_TASK_WORKER_EVERY
                if not cut_done and not cutting and elapsed >= CUT_AT:
                    cut.start()
                    cutting = True
                    events.append(f"{elapsed:5.1f}s database cut")
                if cutting and elapsed >= CUT_AT + CUT_SECONDS:
                    cut.stop()
                    cutting, cut_done = False, True
                    events.append(f"{elapsed:5.1f}s database back")
                if not smtp_cut_done and sink.running and elapsed >= SMTP_CUT_AT:
                    sink.stop()
                    events.append(f"{elapsed:5.1f}s mail server stopped")
                if not sink.running and elapsed >= SMTP_CUT_AT + SMTP_CUT_SECONDS:
                    sink.start()
                    smtp_cut_done = True
                    events.append(f"{elapsed:5.1f}s mail server back")
                time.sleep(0.2)
            if cutting:
                cut.stop()
            if not sink.running:
                sink.start()
            stop.set()
            for thread in threads:
                thread.join(timeout=GIVE_UP_AFTER + 60)
            load_seconds = time.monotonic() - started

        # Every stored request must be announced, and every urgent one escalated: wait
        # for the worker to catch up (urgent rows stored in the last two minutes are not
        # counted as due for escalation yet, so wait until the last one is).
        deadline = time.monotonic() + NOTIFY_WAIT
        escalation_settled = time.monotonic() + 150
        while True:
            state = database_state(root, env, f"Chaos {stamp} ")
            announced = announced_numbers(sink)
            done = (
                state["notified"] == len(state["names"])
                and set(state["numbers"]) <= announced
                and not state["not_escalated"]
                and time.monotonic() > escalation_settled
            )
            if done or time.monotonic() > deadline:
                break
            time.sleep(2)
    finally:
        with contextlib.suppress(Exception):
            cut.stop()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(supervisor.pid, signal.SIGTERM)
        supervisor.wait(timeout=30)
        worker_log.close()
        sink.stop()

    names = state["names"]
    stored = set(names)
    lost = [name for name in tally.thanked if name not in stored]
    duplicates = len(names) - len(stored)
    announced = announced_numbers(sink)
    unannounced = [number for number in state["numbers"] if number not in announced]
    announcements = [s for s in sink.subjects if not s.startswith("Urgent, nobody")]
    rows = [
        ("connections", args.connections),
        ("load (s)", f"{load_seconds:.0f}"),
        ("thank-yous", len(tally.thanked)),
        ("rows", len(names)),
        ("notified", state["notified"]),
        ("lost", len(lost)),
        ("duplicates", duplicates),
        ("unannounced (no email reached the mail server)", len(unannounced)),
        ("urgent rows", state["urgent"]),
        (
            "urgent rows due an escalation / never escalated",
            f"{state['urgent_due']} / {len(state['not_escalated'])}",
        ),
        ("emails received by the mail server", len(sink.messages)),
        (
            "requests announced twice (a worker killed mid-send)",
            len(announcements) - len(set(announcements)),
        ),
        ("gave up, told not sent (nothing stored)", len(tally.not_sent)),
        ("resends by people", tally.retries),
        ("longest submission to notification", state["longest"]),
    ]
    table = "| measure | value |\n| --- | --- |\n" + "".join(f"| {k} | {v} |\n" for k, v in rows)
    responses = ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items()))
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    checkout = "this checkout" if root == ROOT else f"checkout {root.name}"
    report = (
        f"# make chaos, {stamp} ({database}, {checkout})\n\n{table}\n"
        f"Responses: {responses}\n\nEvents:\n\n" + "".join(f"- {event}\n" for event in events)
    )
    (RESULTS / f"chaos-{stamp}.md").write_text(report)
    (RESULTS / "chaos-latest.md").write_text(report)
    print(report)
    ok = (
        not lost
        and not duplicates
        and not unannounced
        and not state["not_escalated"]
        and state["notified"] == len(names)
    )
    print("PASS" if ok else "FAIL: lost, duplicated or unannounced requests", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
