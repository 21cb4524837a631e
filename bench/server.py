"""The site under load: its environment, preparing it, and gunicorn serving it.

gunicorn is started and waited for by tests/servers.py, as in the tests; this module
adds what a measurement needs: every worker booted before the first request, and the
CPU time, worker restarts and memory that /proc reports for the server's processes.
"""

import contextlib
import gzip
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.servers import BASE_DIR, HTTPS, free_port, gunicorn, production_env, request

ROOT = BASE_DIR
HOST = HTTPS["Host"]  # the host production_env allows; wrk and every request send it

# What every benchmark request says, as a browser behind the production proxy would
# (a browser's User-Agent: without one a request is a robot's, which readership counting
# sets aside instead of counting).
BROWSER_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
COMMON_HEADERS = {**HTTPS, "Accept-Encoding": "gzip", "User-Agent": BROWSER_USER_AGENT}


def site_env(database_url: str) -> dict[str, str]:
    """Production settings (tests/servers.py), changed only where a load test must."""
    return production_env(
        DATABASE_URL=database_url,
        # No TLS on loopback. The proxy header is trusted as in production and sent with
        # every request; a request without it must not get a 301 that wrk counts as done.
        SECURE_SSL_REDIRECT="0",
        TRUST_X_FORWARDED_PROTO="1",
        # Every POST comes from 127.0.0.1: the run measures the form, not the limiter.
        CONTACT_RATE_LIMIT="1000000000",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        SITE_URL=f"https://{HOST}",
        PYTHONDONTWRITEBYTECODE="1",
    )


def run_or_exit(what: str, command: list[str], env: dict, *, root: Path = ROOT) -> str:
    """``command``'s output, run from ``root``; if it fails, the run ends saying ``what``
    failed and how."""
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode:
        sys.exit(f"{what} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def run_manage(env: dict, *args: str) -> str:
    command = [sys.executable, "manage.py", *args]
    return run_or_exit(f"manage.py {' '.join(args)}", command, env)


def ask(env: dict, command: str, *args: str):
    """The value `python -m bench.site COMMAND ARGS` prints (bench/site.py)."""
    python = [sys.executable, "-m", "bench.site", command, *args]
    return json.loads(run_or_exit(f"bench.site {command}", python, env).splitlines()[-1])


def fetch(port: int, path: str, *, method: str = "GET", headers=None, body=None):
    """One request as the benchmark's browser sends it: (status, headers, body)."""
    return request(
        port, path, method=method, headers={**COMMON_HEADERS, **(headers or {})}, body=body
    )


def decoded(headers, body: bytes) -> str:
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")


@dataclass
class Server:
    """gunicorn as it runs: its port, master process, log and command line."""

    port: int
    process: subprocess.Popen
    log: Path
    config: Path
    arguments: list[str]

    def boots(self) -> int:
        """Workers started so far (gunicorn logs each): more than the worker count means
        some were recycled (max_requests) or died."""
        return self.log.read_text(errors="replace").count("Booting worker")

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def cpu_seconds(self) -> float:
        # The master's own time plus its reaped children's: a worker recycled by
        # max_requests during a measurement still counts.
        master = cpu_seconds(self.process.pid, reaped_children=True)
        return master + sum(cpu_seconds(pid) for pid in self.workers())

    def worker_class(self) -> str:
        if "--worker-class" in self.arguments:
            return self.arguments[self.arguments.index("--worker-class") + 1]
        found = re.search(r"^\s*worker_class\s*=\s*['\"]([^'\"]+)", self.config.read_text(), re.M)
        return found.group(1) if found else "sync"

    def described(self) -> str:
        if self.config.name == "gunicorn.conf.py":
            return "gunicorn.conf.py"
        return "flags: " + " ".join(self.arguments)


@contextlib.contextmanager
def serving(env: dict, log: Path, *, workers: int | None, use_config: bool) -> Iterator[Server]:
    """gunicorn on loopback with every worker booted; stopped with its workers on exit.

    With use_config, the project's gunicorn.conf.py (workers from WEB_CONCURRENCY or
    the cores, unless ``workers`` says); without it, plain sync workers from flags.
    """
    port = free_port()
    if use_config:
        config = ROOT / "gunicorn.conf.py"
        arguments = ["--workers", str(workers)] if workers else []
    else:
        # gunicorn reads ./gunicorn.conf.py unless given another file: an empty one.
        config = log.with_name("empty.gunicorn.conf.py")
        config.write_text("")
        arguments = ["--worker-class", "sync", "--workers", str(workers or 3)]
        arguments += ["--bind", f"127.0.0.1:{port}", "clinic_site.wsgi:application"]
    with gunicorn(
        env, log, settings="clinic_site.settings", port=port, config=config, arguments=arguments
    ) as (port, process):
        server = Server(port=port, process=process, log=log, config=config, arguments=arguments)
        _wait_for_every_worker(server)
        yield server


def _wait_for_every_worker(server: Server, timeout: float = 60) -> None:
    # /healthz answers once one worker is up; a measurement starting then would pay for
    # the others' boot. Booted means the count has stopped growing for a second.
    deadline = time.monotonic() + timeout
    count = len(server.workers())
    while time.monotonic() < deadline:
        time.sleep(1)
        now = len(server.workers())
        if now == count:
            return
        count = now
    sys.exit(f"gunicorn's workers kept changing for {timeout:.0f} s; see {server.log}")


# --- What /proc says about a process ----------------------------------------------------


def children(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: fields start after the last ")".
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent:
            pids.append(int(entry.name))
    return sorted(pids)


def cpu_seconds(pid: int, reaped_children: bool = False) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime, stime, then cutime, cstime (children waited for).
    ticks = sum(int(n) for n in fields[11 : 15 if reaped_children else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def busy_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy since boot (all cores, /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(n) for n in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def memory_of(pid: int) -> dict:
    status = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        status[name] = value.strip()
    started = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    result = {
        "pid": pid,
        # A worker recycled by max_requests is young and small: say how old it is.
        "age_s": round(uptime - started / os.sysconf("SC_CLK_TCK")),
        "rss_mb": round(int(status["VmRSS"].split()[0]) / 1024, 1),
        "peak_rss_mb": round(int(status["VmHWM"].split()[0]) / 1024, 1),
        "pss_mb": None,
    }
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                result["pss_mb"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return result
