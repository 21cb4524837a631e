"""`make bench`: load-test the site under gunicorn with production settings on loopback.

One run, bounded in time (about four minutes with the defaults):

1. Prepares a throwaway SQLite database under bench/results/ (or uses DATABASE_URL and,
   when set, REDIS_URL), migrates, collects static files and imports content/.
2. Writes the article page's HTML into the collected static files, so the same gunicorn
   and whitenoise serve it as a file: the ceiling every page is compared with.
3. Starts gunicorn on 127.0.0.1 (ports 8161-8179) with the project's gunicorn.conf.py
   when there is one, warms it, and drives it with wrk (installed from Debian when
   absent) at each concurrency for a fixed time: the static copy, home, an article,
   the article list and the contact page; then contact form POSTs with a real CSRF
   token.
4. Counts contact requests before and after the POSTs, reads each worker's memory, and
   writes bench/results/<timestamp>.json and .md, plus latest.md and latest.json.

Every request says it came through the TLS proxy (X-Forwarded-Proto: https, trusted as
in production) and accepts gzip like a browser; there is no TLS on loopback, so its cost
is not measured. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import gzip
import html.parser
import http.client
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PORTS = range(8161, 8180)
STATIC_COPY = "bench/article.html"  # inside STATIC_ROOT, served at /static/bench/...

# What the benchmark asks for, as a browser behind the production proxy would.
COMMON_HEADERS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}

# The pages, in the order each concurrency level runs them. "static" is the ceiling.
PAGES = {
    "static": "/static/" + STATIC_COPY,
    "home": "/",
    "article": "/articles/{slug}/",
    "article_list": "/articles/",
    "contact": "/contact/",
}

# Issue 7's targets.
TARGET_RATIO = 0.70
TARGET_P99_MS = 50.0
TARGET_POSTS_PER_S = 200.0
TARGET_RSS_MB = 120.0
TARGET_CONNECTIONS = 16

COUNTER = "__N__"

# Values for the contact form's fields by name; fields not named here get a plausible
# value from their type (see build_form_body). __N__ becomes a per-request number.
CONTACT_VALUES: dict[str, str] = {
    "name": f"Bench Tester {COUNTER}",
    "message": (
        "I would like to know whether infusions could help me and what the first "
        f"appointment involves. (Load test {COUNTER}: please ignore.)"
    ),
}


# --- Parsing (tested in tests/bench/) ---------------------------------------------------


def parse_wrk_output(text: str) -> dict:
    """Read the BENCH_JSON line that bench/get.lua's done() prints into plain numbers."""
    for line in text.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line.removeprefix("BENCH_JSON "))
            break
    else:
        raise ValueError("wrk printed no BENCH_JSON line; is bench/get.lua loaded?")
    seconds = raw["duration_us"] / 1e6
    latency = raw["latency_us"]
    errors = {name: int(count) for name, count in raw["errors"].items()}
    requests = int(raw["requests"])

    def ms(key):
        value = latency.get(key)
        return None if value is None else round(value / 1000, 2)

    return {
        "requests": requests,
        "seconds": round(seconds, 3),
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        "bytes_per_request": round(raw["bytes"] / requests) if requests else 0,
        "p50_ms": ms("p50"),
        "p90_ms": ms("p90"),
        "p99_ms": ms("p99"),
        "max_ms": ms("max"),
        "mean_ms": ms("mean"),
        "errors": sum(errors.values()),
        "error_detail": {name: count for name, count in errors.items() if count},
        "statuses": {str(code): int(n) for code, n in sorted(raw.get("statuses", {}).items())},
    }


@dataclass
class FormField:
    name: str
    kind: str  # input type, or "textarea" / "select"
    value: str = ""
    required: bool = False
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)


@dataclass
class Form:
    action: str
    fields: list[FormField]


class _FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: FormField | None = None
        self._select: FormField | None = None
        self._option: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: (value if value is not None else "") for name, value in attrs}
        if tag == "form" and attrs.get("method", "get").lower() == "post":
            self._form = Form(action=attrs.get("action", ""), fields=[])
            self.forms.append(self._form)
        if self._form is None or (tag not in {"input", "textarea", "select", "option"}):
            return
        required = "required" in attrs
        if tag == "input" and attrs.get("name"):
            self._form.fields.append(
                FormField(
                    name=attrs["name"],
                    kind=attrs.get("type", "text").lower(),
                    value=attrs.get("value", ""),
                    required=required,
                    checked="checked" in attrs,
                )
            )
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = FormField(name=attrs["name"], kind="textarea", required=required)
            self._form.fields.append(self._textarea)
        elif tag == "select" and attrs.get("name"):
            self._select = FormField(name=attrs["name"], kind="select", required=required)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), "selected" in attrs, ""]
            self._select.options.append(("", False))  # replaced at </option>

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            if self._textarea is not None and self._textarea.value.startswith("\n"):
                # HTML drops one newline right after <textarea>; Django writes one.
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select.options[-1] = (text.strip() if value is None else value, selected)
            self._option = None


def parse_post_forms(page: str) -> list[Form]:
    """Every method=post form on the page with its named fields, in document order."""
    parser = _FormParser()
    parser.feed(page)
    parser.close()
    return parser.forms


def _default_value(item: FormField) -> str | None:
    """A value that passes ordinary validation, or None to leave the field out."""
    kind = item.kind
    if kind in {"submit", "button", "reset", "image", "file"}:
        return None
    if kind == "hidden":
        return item.value
    if kind == "checkbox":
        return (item.value or "on") if (item.checked or item.required) else None
    if kind == "select":
        chosen = [value for value, selected in item.options if selected]
        usable = [value for value, _ in item.options if value]
        if chosen:
            return chosen[0]
        return usable[0] if usable else ""
    if item.value.strip():
        return item.value
    if not item.required:
        # Optional fields stay empty: that is also what a honeypot field wants.
        return ""
    return {
        "email": f"bench-{COUNTER}@example.com",
        "tel": "(555) 010-0199",
        "number": "1",
        "url": "https://example.com/",
        "date": datetime.now().date().isoformat(),
        "textarea": f"Benchmark message {COUNTER}, please ignore. " * 2,
    }.get(kind, f"Bench {COUNTER}")


def build_form_body(form: Form, values: dict[str, str] | None = None) -> str:
    """A urlencoded body for the form, with __N__ where each request puts its number."""
    values = values or {}
    pairs: list[tuple[str, str]] = []
    radios_done: set[str] = set()
    for item in form.fields:
        if item.name in values:
            if item.name not in {name for name, _ in pairs}:
                pairs.append((item.name, values[item.name]))
            continue
        if item.kind == "radio":
            if item.name in radios_done:
                continue
            group = [f for f in form.fields if f.name == item.name and f.kind == "radio"]
            chosen = next((f for f in group if f.checked), group[0])
            pairs.append((item.name, chosen.value or "on"))
            radios_done.add(item.name)
            continue
        value = _default_value(item)
        if value is not None:
            pairs.append((item.name, value))
    return urllib.parse.urlencode(pairs)


def csrf_cookie(set_cookie_headers: list[str]) -> tuple[str, str] | None:
    """(name, value) of the CSRF cookie among Set-Cookie headers (__Host-csrftoken in
    production, csrftoken otherwise)."""
    for header in set_cookie_headers:
        name, _, rest = header.partition("=")
        if name.strip().endswith("csrftoken"):
            return name.strip(), rest.split(";", 1)[0].strip()
    return None


def summarise_collapsed_stacks(text: str, top: int = 15) -> dict:
    """Top functions by inclusive and by self share of samples, from py-spy's raw
    (collapsed stacks) output: one "frame;frame;frame count" per line. A recursive
    function counts once per sample."""
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_short_frame(frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    if not total:
        return {"samples": 0, "inclusive": [], "self": []}

    # Frames in every sample (gunicorn's loop, py-spy's "process ..." line) say nothing.
    for frame in [frame for frame, n in inclusive.items() if n == total]:
        del inclusive[frame]

    def share(counter):
        return [
            {"frame": frame, "percent": round(100 * n / total, 1)}
            for frame, n in counter.most_common(top)
        ]

    return {"samples": total, "inclusive": share(inclusive), "self": share(own)}


def _short_frame(frame: str) -> str:
    # py-spy writes "function (path/to/file.py:line)"; keep the function and the path
    # from site-packages/ or the project on, without the line number.
    match = re.match(r"(.*) \((.*?)(?::\d+)?\)$", frame.strip())
    if not match:
        return frame.strip()
    function, path = match.groups()
    for marker in ("site-packages/", str(ROOT) + "/", "lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{function} ({path})"


# --- Evaluating and reporting -----------------------------------------------------------


def evaluate_targets(report: dict) -> list[dict]:
    """Issue 7's targets against this run: name, target, measured, met (None: not run)."""
    results = []
    article = _find(report["get"], "article", TARGET_CONNECTIONS)
    if article:
        results += [
            {
                "name": f"Article at {TARGET_CONNECTIONS} connections: throughput vs static",
                "target": f">= {TARGET_RATIO:.0%}",
                "measured": f"{_ratio(article['ratio'])} "
                f"(by CPU per request: {_ratio(article.get('cpu_ratio'))})",
                "met": article["ratio"] is not None and article["ratio"] >= TARGET_RATIO,
            },
            {
                "name": f"Article at {TARGET_CONNECTIONS} connections: p99 latency",
                "target": f"< {TARGET_P99_MS:g} ms",
                "measured": f"{article['p99_ms']} ms",
                "met": article["p99_ms"] is not None and article["p99_ms"] < TARGET_P99_MS,
            },
            {
                "name": f"Article at {TARGET_CONNECTIONS} connections: errors",
                "target": "0",
                "measured": str(article["errors"]),
                "met": article["errors"] == 0,
            },
        ]
    post = report.get("post") or {}
    if "stored" in post:
        on_sqlite = report["settings"]["database"] == "sqlite"
        results += [
            {
                "name": "Contact POSTs: errors and lost submissions",
                "target": "0 and 0",
                "measured": f"{post['errors'] + post['rejected']} and {post['lost']}",
                "met": post["errors"] == 0 and post["rejected"] == 0 and post["lost"] == 0,
            },
            {
                "name": "Contact POSTs: stored per second"
                + ("" if on_sqlite else " (target is for SQLite)"),
                "target": f">= {TARGET_POSTS_PER_S:g}/s",
                "measured": f"{post['stored_per_s']}/s",
                "met": post["stored_per_s"] >= TARGET_POSTS_PER_S,
            },
        ]
    workers = report.get("memory", {}).get("workers", [])
    if workers:
        largest = max(worker["rss_mb"] for worker in workers)
        results.append(
            {
                "name": "Resident memory per worker after the run (largest)",
                "target": f"< {TARGET_RSS_MB:g} MB",
                "measured": f"{largest} MB",
                "met": largest < TARGET_RSS_MB,
            }
        )
    return results


def _find(rows: list[dict], page: str, connections: int) -> dict | None:
    return next((r for r in rows if r["page"] == page and r["connections"] == connections), None)


def _fmt(value, suffix=""):
    return "n/a" if value is None else f"{value}{suffix}"


def render_markdown(report: dict) -> str:
    machine, run = report["machine"], report["settings"]
    lines = [
        f"## Benchmark {report['started']}",
        "",
        f"Machine: {machine['nproc']} cores ({machine['cpu_model']}), "
        f"{machine['memory_gb']} GB RAM, {machine['os']}; Python {machine['python']}, "
        f"wrk {machine['wrk']}. Commit {machine['commit']}.",
        f"Server: gunicorn, {run['workers']} {run['worker_class']} workers "
        f"({run['gunicorn_config']}"
        + "".join(f", {name}={value}" for name, value in run.get("gunicorn_env", {}).items())
        + f"); database {run['database']}, cache {run['cache']}; "
        f"{run['duration_s']} s per measurement after {run['warmup_s']} s warm-up; "
        "wrk and the server share the machine.",
        "",
        "| Page | Conns | req/s | vs static | p50 ms | p99 ms | Errors | Server CPU ms/req "
        "| vs static by CPU | Other load | Restarts |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report["get"]:
        static = row["page"] == "static"
        lines.append(
            f"| {row['page']} | {row['connections']} | {row['rps']:.0f} "
            f"| {'ceiling' if static else _ratio(row['ratio'])} "
            f"| {_fmt(row['p50_ms'])} | {_fmt(row['p99_ms'])} | {_errors(row)} "
            f"| {_fmt(row.get('server_cpu_ms_per_request'))} "
            f"| {'ceiling' if static else _ratio(row.get('cpu_ratio'))} "
            f"| {_fmt(row.get('other_cpu_percent'), '%')} | {_fmt(row.get('worker_restarts'))} |"
        )
    lines += [
        "",
        "Server CPU: gunicorn master and workers, user and kernel, per request. "
        "vs static by CPU: the static file's CPU per request over the page's, which is "
        "the throughput ratio a machine running nothing else would show. "
        "Other load: CPU used by other processes on the machine during the measurement "
        f"(100% = one core; load average {machine.get('loadavg', 'n/a')} at the start); "
        "a high value makes that row's req/s and latency noisy. "
        "Restarts: workers gunicorn started during the measurement (max_requests); each "
        "costs about a second of CPU and shows in that row's CPU and p99.",
        "",
    ]
    post = report.get("post") or {}
    if "stored" in post:
        lines += [
            "| Contact POSTs | Conns | accepted/s | stored | stored/s | lost | rejected "
            "| p50 ms | p99 ms | Errors | Server CPU ms/req | Other load | Restarts |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: |",
            f"| {post['path']} | {post['connections']} | {post['rps']:.0f} | {post['stored']} "
            f"| {post['stored_per_s']} | {post['lost']} | {post['rejected']} "
            f"| {_fmt(post['p50_ms'])} | {_fmt(post['p99_ms'])} | {_errors(post)} "
            f"| {_fmt(post.get('server_cpu_ms_per_request'))} "
            f"| {_fmt(post.get('other_cpu_percent'), '%')} | {_fmt(post.get('worker_restarts'))} |",
        ]
        if post.get("in_flight"):
            lines.append(
                f"\n{post['in_flight']} more rows than accepted responses: requests in flight "
                "when wrk stopped, completed by the server after wrk stopped counting."
            )
    else:
        lines.append(f"Contact POSTs: not run ({post.get('skipped', 'no result')}).")
    memory = report.get("memory", {})
    if memory.get("workers"):
        lines += [
            "",
            f"Workers restarted during the run (max_requests or a crash): "
            f"{memory.get('worker_restarts', 'n/a')}.",
            "",
            "| Worker pid | Age s | RSS MB | Peak RSS MB | PSS MB |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for worker in memory["workers"]:
            lines.append(
                f"| {worker['pid']} | {_fmt(worker.get('age_s'))} | {worker['rss_mb']} "
                f"| {worker['peak_rss_mb']} | {_fmt(worker.get('pss_mb'))} |"
            )
    if report.get("targets"):
        lines += ["", "| Target | Wanted | Measured | Met |", "| --- | --- | --- | --- |"]
        for target in report["targets"]:
            met = {True: "yes", False: "**no**", None: "not run"}[target["met"]]
            lines.append(
                f"| {target['name']} | {target['target']} | {target['measured']} | {met} |"
            )
    profile = report.get("profile") or {}
    if profile.get("samples"):
        lines += [
            "",
            f"Profile of the {profile['page']} page at {TARGET_CONNECTIONS} connections "
            f"(py-spy, {profile['samples']} samples inside requests, {profile['file']}):",
            "",
            "| Inclusive % | Function | | Self % | Function |",
            "| ---: | --- | --- | ---: | --- |",
        ]
        for inclusive, own in zip(profile["inclusive"], profile["self"], strict=False):
            lines.append(
                f"| {inclusive['percent']} | `{inclusive['frame']}` | "
                f"| {own['percent']} | `{own['frame']}` |"
            )
    elif profile:
        lines += ["", f"Profile: {profile.get('error', 'no samples')}"]
    if report.get("checks"):
        lines += ["", "Checks: " + "; ".join(f"{k}: {v}" for k, v in report["checks"].items())]
    return "\n".join(lines) + "\n"


def _ratio(value):
    return "n/a" if value is None else f"{value:.0%}"


def _errors(row):
    if not row["errors"]:
        return "0"
    detail = ", ".join(f"{name} {count}" for name, count in row["error_detail"].items())
    return f"**{row['errors']}** ({detail})"


# --- The machine and the server ---------------------------------------------------------


def machine_info() -> dict:
    cpu_model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    commit = _output(["git", "rev-parse", "--short", "HEAD"]) or "unknown"
    if _output(["git", "status", "--porcelain", "--untracked-files=no"]):
        commit += " (with uncommitted changes)"
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gb": round(total_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "wrk": (_output(["wrk", "-v"]) or "").split(" [")[0].removeprefix("wrk ").strip(),
        "commit": commit,
        "loadavg": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }


def _output(command: list[str]) -> str:
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (done.stdout or done.stderr).strip()


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        sys.exit("wrk is not installed: run `sudo apt-get install -y wrk` and try again.")
    print("Installing wrk from Debian ...", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=300)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, timeout=300)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            # As gunicorn does: a port left in TIME_WAIT by the last run is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    sys.exit(f"No free port in {PORTS.start}-{PORTS.stop - 1} on {HOST}.")


def site_env(database_url: str, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="clinic_site.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # No TLS on loopback. The proxy header is trusted as in production and sent with
        # every request; a request without it must not get a 301 that wrk counts as done.
        SECURE_SSL_REDIRECT="0",
        TRUST_X_FORWARDED_PROTO="1",
        CONTACT_RATE_LIMIT="1000000000",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DATABASE_URL=database_url,
        SITE_URL=f"https://{HOST}:{port}",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def manage(env: dict, *args: str, timeout: int = 300) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def django_value(env: dict, code: str) -> str:
    """Run code in `manage.py shell` and return what it printed after BENCH_VALUE."""
    output = manage(env, "shell", "-c", code)
    for line in output.splitlines():
        if line.startswith("BENCH_VALUE "):
            return line.removeprefix("BENCH_VALUE ")
    raise RuntimeError(f"no BENCH_VALUE in manage.py shell output:\n{output}")


RENDER_STATIC_COPY = """
import gzip
from pathlib import Path
from django.conf import settings
from django.test import Client
response = Client().get({path!r}, headers={{"host": {host!r}, "x-forwarded-proto": "https"}})
assert response.status_code == 200, response.status_code
target = Path(settings.STATIC_ROOT) / {name!r}
target.parent.mkdir(parents=True, exist_ok=True)
target.write_bytes(response.content)
# whitenoise serves the .gz to clients that accept gzip, as for every collected file.
target.with_name(target.name + ".gz").write_bytes(gzip.compress(response.content, 9))
print("BENCH_VALUE", len(response.content))
"""

COUNT_CONTACT_REQUESTS = """
from django.apps import apps
try:
    model = apps.get_model("intake", "ContactRequest")
except LookupError:
    print("BENCH_VALUE none")
else:
    print("BENCH_VALUE", model.objects.count())
"""

PICK_ARTICLE = """
from clinic_site.articles.models import Article
article = Article.objects.published().filter(slug={slug!r}).first()
article = article or Article.objects.published().order_by("-word_count").first()
print("BENCH_VALUE", article.slug if article else "")
"""


def contact_rows(env: dict) -> int | None:
    value = django_value(env, COUNT_CONTACT_REQUESTS)
    return None if value == "none" else int(value)


class Gunicorn:
    """The site under gunicorn on loopback; stopped (with its workers) on exit."""

    def __init__(self, env: dict, port: int, workers: int | None, log: Path, use_config=True):
        self.port = port
        self.config = ROOT / "gunicorn.conf.py"
        command = [str(VENV_BIN / "gunicorn"), "clinic_site.wsgi:application"]
        if use_config and self.config.exists():
            command += ["--config", str(self.config)]
        else:
            # gunicorn reads ./gunicorn.conf.py unless given another file: an empty one.
            self.config = log.with_name("empty.gunicorn.conf.py")
            self.config.write_text("")
            command += ["--config", str(self.config)]
            command += ["--worker-class", "sync", "--workers", str(workers or 3)]
        if workers and "--workers" not in command:
            command += ["--workers", str(workers)]
        # Last, so it wins over any bind in the config file.
        command += ["--bind", f"{HOST}:{port}"]
        self.command = command
        self.log = log.open("w")
        # A session of its own: stopping the master's group stops every worker.
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited early; see {self.log.name}")
            try:
                status, _, _ = request(self.port, "/healthz")
            except OSError:
                status = None
            if status == 200:
                # Every worker booted: the count has stopped growing.
                workers = len(self.workers())
                time.sleep(1)
                if len(self.workers()) == workers:
                    return self
            time.sleep(0.3)
        self.stop()
        sys.exit(f"gunicorn did not answer /healthz within 60 s; see {self.log.name}")

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()

    def boots(self) -> int:
        """Workers started so far (gunicorn logs each): more than the worker count means
        some were recycled (max_requests) or died."""
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace").count("Booting worker")

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def cpu_seconds(self) -> float:
        # The master's own time plus its reaped children's: a worker recycled by
        # max_requests during a measurement still counts.
        master = cpu_seconds(self.process.pid, reaped_children=True)
        return master + sum(cpu_seconds(pid) for pid in self.workers())


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


def request(port: int, path: str, method: str = "GET", headers=None, body=None):
    """(status, headers, body) of one request, without following redirects."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request(method, path, body=body, headers={**COMMON_HEADERS, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def decoded(headers, body: bytes) -> str:
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")


# --- Load -------------------------------------------------------------------------------


def wrk(
    port: int,
    path: str,
    connections: int,
    seconds: int,
    script: str = "bench/get.lua",
    headers: dict | None = None,
    script_args: tuple[str, ...] = (),
) -> dict:
    command = ["wrk", "--threads", "1", "--connections", str(connections)]
    command += ["--duration", f"{seconds}s", "--timeout", "5s", "--script", script]
    for name, value in {**COMMON_HEADERS, **(headers or {})}.items():
        command += ["--header", f"{name}: {value}"]
    command.append(f"http://{HOST}:{port}{path}")
    if script_args:
        command += ["--", *script_args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    result = parse_wrk_output(done.stdout)
    wrk_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    result["wrk_cpu_percent"] = round(100 * wrk_cpu / result["seconds"]) if seconds else None
    return result


def busy_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy since boot (all cores, /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(n) for n in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def measure(server: Gunicorn, path: str, connections: int, args, **kwargs) -> dict:
    if args.warmup:
        wrk(server.port, path, connections, args.warmup, **kwargs)
    cpu_before, busy_before, boots = server.cpu_seconds(), busy_cpu_seconds(), server.boots()
    result = wrk(server.port, path, connections, args.duration, **kwargs)
    cpu, busy = server.cpu_seconds() - cpu_before, busy_cpu_seconds() - busy_before
    add_cpu(result, cpu, busy)
    result["worker_restarts"] = server.boots() - boots
    return result


def add_cpu(result: dict, server_cpu: float, busy: float) -> None:
    """Server CPU per request, and the share of the machine that was neither the server
    nor wrk: other people's work on a shared box, which makes a run noisy."""
    seconds = result["seconds"]
    result["server_cpu_percent"] = round(100 * server_cpu / seconds)
    result["server_cpu_ms_per_request"] = (
        round(1000 * server_cpu / result["requests"], 2) if result["requests"] else None
    )
    other = busy - server_cpu - result["wrk_cpu_percent"] * seconds / 100
    result["other_cpu_percent"] = max(0, round(100 * other / seconds))


def checks(port: int, paths: dict[str, str]) -> dict:
    """What a browser would notice: status, compression, and conditional GET."""
    found = {}
    for page, path in paths.items():
        status, headers, body = request(port, path)
        if status != 200:
            sys.exit(f"GET {path} answered {status}, not 200: fix the site before benchmarking.")
        found[f"{page} gzip"] = headers.get("Content-Encoding") == "gzip"
    status, headers, _ = request(port, paths["article"])
    validators = {}
    if headers.get("ETag"):
        validators["If-None-Match"] = headers["ETag"]
    if headers.get("Last-Modified"):
        validators["If-Modified-Since"] = headers["Last-Modified"]
    if validators:
        status, _, _ = request(port, paths["article"], headers=validators)
        found["article conditional GET"] = status
    else:
        found["article conditional GET"] = "no ETag or Last-Modified"
    found["article Cache-Control"] = headers.get("Cache-Control", "none")
    return found


@dataclass
class PostLoad:
    """Everything wrk needs to send valid contact form POSTs."""

    path: str
    headers: dict
    body_file: Path
    redirect_to: str | None
    fields: list[str]

    def run(self, port: int, connections: int, seconds: int) -> dict:
        return wrk(
            port,
            self.path,
            connections,
            seconds,
            "bench/post.lua",
            self.headers,
            (str(self.body_file),),
        )


def prepare_posts(port: int, env: dict, run_dir: Path) -> PostLoad | str:
    """Read the contact form, build a valid body and prove it is accepted; or say why
    POSTs cannot run."""
    path = PAGES["contact"]
    status, headers, body = request(port, path)
    forms = parse_post_forms(decoded(headers, body))
    cookie = csrf_cookie(headers.get_all("Set-Cookie") or [])
    if not forms:
        return f"no POST form at {path} yet"
    if cookie is None:
        return f"{path} set no CSRF cookie"
    if contact_rows(env) is None:
        return "no intake.ContactRequest model yet"
    form = forms[0]
    action = urllib.parse.urljoin(path, form.action or path)
    template = build_form_body(form, CONTACT_VALUES)
    post_headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        # Production's cookie is __Host- and Secure: wrk sends it as a browser would.
        "Cookie": f"{cookie[0]}={cookie[1]}",
        "Origin": f"https://{HOST}:{port}",
        "Referer": f"https://{HOST}:{port}{path}",
    }
    status, headers, body = request(
        port, action, "POST", post_headers, template.replace(COUNTER, "probe")
    )
    if status not in (301, 302, 303):
        page = decoded(headers, body)
        errors = re.findall(r'class="(?:errorlist|error-summary)[^"]*"[^>]*>(.*?)</ul>', page, re.S)
        text = re.sub(r"<[^>]+>", " ", " ".join(errors)).split() or [page[:200]]
        return f"a valid-looking POST answered {status}: {' '.join(text)[:300]}"
    body_file = run_dir / "contact-body.txt"
    body_file.write_text(template)
    return PostLoad(
        path=action,
        headers=post_headers,
        body_file=body_file,
        redirect_to=headers.get("Location"),
        fields=[item.name for item in form.fields],
    )


def bench_posts(server: Gunicorn, env: dict, load: PostLoad, args) -> dict:
    """POSTs for a fixed time; every 3xx is an accepted submission that must be stored."""
    connections = args.post_connections
    if args.warmup:
        load.run(server.port, connections, args.warmup)
    before = contact_rows(env)
    cpu_before, busy_before, boots = server.cpu_seconds(), busy_cpu_seconds(), server.boots()
    result = load.run(server.port, connections, args.duration)
    add_cpu(result, server.cpu_seconds() - cpu_before, busy_cpu_seconds() - busy_before)
    result["worker_restarts"] = server.boots() - boots
    time.sleep(1)  # let requests wrk abandoned at the deadline finish before counting
    stored = contact_rows(env) - before
    accepted = sum(n for code, n in result["statuses"].items() if code.startswith("3"))
    rejected = sum(n for code, n in result["statuses"].items() if not code.startswith("3"))
    result.update(
        path=load.path,
        connections=connections,
        rps=round(accepted / result["seconds"], 1),
        accepted=accepted,
        rejected=rejected,
        stored=stored,
        stored_per_s=round(stored / result["seconds"], 1),
        lost=max(0, accepted - stored),
        in_flight=max(0, stored - accepted),
        redirect_to=load.redirect_to,
        fields=load.fields,
    )
    return result


def profile_page(server: Gunicorn, page: str, paths: dict, load: PostLoad | None, args, run_dir):
    """py-spy on every worker during one more run of a page (or of the contact POSTs)
    at 16 connections; not in the table, as sampling slows the workers a little."""
    py_spy = VENV_BIN / "py-spy"
    if not py_spy.exists():
        print("Installing py-spy into the virtualenv ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "py-spy"], check=True)
    raw = run_dir / f"{page}-profile.txt"
    profiler = subprocess.Popen(
        [
            str(py_spy),
            "record",
            "--pid",
            str(server.process.pid),
            "--subprocesses",
            "--duration",
            str(args.duration),
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(raw),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1)
    if page == "contact_post":
        if load is None:
            profiler.kill()
            return {"error": "no contact POSTs to profile"}
        load.run(server.port, TARGET_CONNECTIONS, args.duration)
    else:
        wrk(server.port, paths[page], TARGET_CONNECTIONS, args.duration)
    _, stderr = profiler.communicate(timeout=args.duration + 60)
    if not raw.exists():
        return {"error": f"py-spy wrote no profile: {stderr.strip()[-300:]}"}
    # Idle workers wait in select/accept; only samples inside a request say what it costs.
    busy = "\n".join(line for line in raw.read_text().splitlines() if "handle_request" in line)
    summary = summarise_collapsed_stacks(busy, top=25)
    summary["page"] = page
    summary["file"] = str(raw.relative_to(ROOT))
    return summary


# --- Main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each one")
    parser.add_argument(
        "--connections", default="1,16,64", help="concurrency levels for the GET pages"
    )
    parser.add_argument("--post-connections", type=int, default=TARGET_CONNECTIONS)
    parser.add_argument("--pages", default=",".join(PAGES), help="GET pages to measure")
    parser.add_argument("--no-post", action="store_true", help="skip contact form POSTs")
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py, else 3)"
    )
    parser.add_argument(
        "--no-config", action="store_true", help="ignore gunicorn.conf.py: sync workers, flags"
    )
    parser.add_argument("--slug", default="how-ketamine-infusion-works", help="article")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="article",
        choices=[*(page for page in PAGES if page != "static"), "contact_post"],
        help="after the run, py-spy the workers during one more run of this page (article)",
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the throwaway SQLite")
    args = parser.parse_args(argv)
    levels = [int(n) for n in args.connections.split(",")]
    pages = [page for page in PAGES if page in args.pages.split(",")]
    if "static" not in pages:
        pages.insert(0, "static")  # ratios need the ceiling

    ensure_wrk()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir = RESULTS / stamp
    run_dir.mkdir()
    try:
        report = run(args, levels, pages, run_dir)
    finally:
        tidy(run_dir, keep_db=args.keep_db)
    report["targets"] = evaluate_targets(report)
    markdown = render_markdown(report)
    (RESULTS / f"{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / f"{stamp}.md").write_text(markdown)
    shutil.copyfile(RESULTS / f"{stamp}.json", RESULTS / "latest.json")
    shutil.copyfile(RESULTS / f"{stamp}.md", RESULTS / "latest.md")
    print()
    print(markdown)
    print(f"Written: bench/results/{stamp}.json, .md and latest.md")
    return 0


def tidy(run_dir: Path, keep_db: bool) -> None:
    """Compress the server log (a line per request) and drop the throwaway database,
    whether the run finished or not."""
    log = run_dir / "gunicorn.log"
    if log.exists():
        with log.open("rb") as source, gzip.open(f"{log}.gz", "wb") as target:
            shutil.copyfileobj(source, target)
        log.unlink()
    if not keep_db:
        for leftover in run_dir.glob("bench.sqlite3*"):
            leftover.unlink()


def run(args, levels: list[int], pages: list[str], run_dir: Path) -> dict:
    port = free_port()
    throwaway = run_dir / "bench.sqlite3"
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{throwaway}"
    env = site_env(database_url, port)

    print(f"Preparing the site ({'DATABASE_URL' if 'DATABASE_URL' in os.environ else throwaway})")
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "import_content")
    slug = django_value(env, PICK_ARTICLE.format(slug=args.slug))
    if not slug:
        sys.exit("No published article to benchmark: does content/ import?")
    paths = {page: PAGES[page].format(slug=slug) for page in PAGES}
    size = django_value(
        env,
        RENDER_STATIC_COPY.format(path=paths["article"], host=f"{HOST}:{port}", name=STATIC_COPY),
    )
    print(f"Static ceiling: /{STATIC_COPY} ({size} bytes, the page at {paths['article']})")

    report: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "get": [],
    }
    with Gunicorn(env, port, args.workers, run_dir / "gunicorn.log", not args.no_config) as server:
        workers = server.workers()
        report["settings"] = {
            "workers": len(workers),
            "worker_class": _worker_class(server),
            "gunicorn_config": (
                "gunicorn.conf.py"
                if server.config.name == "gunicorn.conf.py"
                else "flags: " + " ".join(server.command[4:-2])
            ),
            # Variables gunicorn or its config read, when this run overrides them.
            "gunicorn_env": {
                name: os.environ[name]
                for name in ("WEB_CONCURRENCY", "GUNICORN_MAX_REQUESTS", "GUNICORN_CMD_ARGS")
                if name in os.environ
            },
            "database": "sqlite" if database_url.startswith("sqlite") else "postgresql",
            "cache": "redis" if os.environ.get("REDIS_URL") else "locmem (per worker)",
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "tls": "none: plain HTTP on loopback, X-Forwarded-Proto: https trusted",
        }
        print(f"gunicorn on {HOST}:{port}, {len(workers)} workers; warming up", flush=True)
        report["checks"] = checks(port, paths)
        for path in paths.values():
            for _ in range(20 * len(workers)):  # every worker renders every page
                request(port, path)

        for connections in levels:
            ceiling = ceiling_cpu = None
            for page in pages:
                result = measure(server, paths[page], connections, args)
                if page == "static":
                    ceiling, ceiling_cpu = result["rps"], result["server_cpu_ms_per_request"]
                ratio = round(result["rps"] / ceiling, 3) if ceiling else None
                cpu = result["server_cpu_ms_per_request"]
                # What the ratio would be on a machine with nothing else running: both
                # are CPU-bound, so throughput goes as 1 / CPU time per request.
                cpu_ratio = round(ceiling_cpu / cpu, 3) if ceiling_cpu and cpu else None
                row = {"page": page, "path": paths[page], "connections": connections}
                row |= result | {"ratio": ratio, "cpu_ratio": cpu_ratio}
                report["get"].append(row)
                print(
                    f"  {page:<13} c={connections:<3} {result['rps']:>8.0f} req/s  "
                    f"p50 {_fmt(result['p50_ms'])} ms  p99 {_fmt(result['p99_ms'])} ms  "
                    f"errors {result['errors']}  ratio {_ratio(ratio)}",
                    flush=True,
                )

        load = None if args.no_post else prepare_posts(port, env, run_dir)
        if args.no_post:
            report["post"] = {"skipped": "--no-post"}
        elif isinstance(load, str):
            report["post"] = {"skipped": load}
            load = None
        else:
            report["post"] = bench_posts(server, env, load, args)
        if not args.no_post:
            post = report["post"]
            if "stored" in post:
                print(
                    f"  contact POST  c={post['connections']:<3} {post['rps']:>8.0f} "
                    f"accepted/s  stored {post['stored']} ({post['stored_per_s']}/s)  "
                    f"lost {post['lost']}  rejected {post['rejected']}  errors {post['errors']}",
                    flush=True,
                )
            else:
                print(f"  contact POST  skipped: {post['skipped']}", flush=True)

        report["memory"] = {
            "workers": [memory_of(pid) for pid in server.workers()],
            "master": memory_of(server.process.pid),
            "worker_restarts": max(0, server.boots() - report["settings"]["workers"]),
        }
        if args.profile:
            report["profile"] = profile_page(server, args.profile, paths, load, args, run_dir)

    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    return report


def _worker_class(server: Gunicorn) -> str:
    command = server.command
    if "--worker-class" in command:
        return command[command.index("--worker-class") + 1]
    match = (
        re.search(r"^\s*worker_class\s*=\s*['\"]([^'\"]+)", server.config.read_text(), re.M)
        if server.config.exists()
        else None
    )
    return match.group(1) if match else "sync"


if __name__ == "__main__":
    sys.exit(main())
