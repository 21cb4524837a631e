"""The contact form POSTs: every request a valid, distinct submission that must be stored.

The body is the project's own: bench/site.py builds it from the test factory and checks
it with ContactForm. What a browser adds comes from the contact page itself: the CSRF
cookie, and its value as the form's token (Django accepts the cookie's secret as it is,
as it does in an X-CSRFToken header).
"""

import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench.server import HOST, Server, ask, decoded, fetch
from bench.site import COUNTER
from bench.wrk import measure, wrk

CONTACT_PATH = "/contact/"


def csrf_cookie(set_cookie_headers: list[str]) -> tuple[str, str] | None:
    """(name, value) of the CSRF cookie among Set-Cookie headers (__Host-csrftoken in
    production, csrftoken otherwise)."""
    for header in set_cookie_headers:
        name, _, rest = header.partition("=")
        if name.strip().endswith("csrftoken"):
            return name.strip(), rest.split(";", 1)[0].strip()
    return None


def with_csrf_token(body: str, token: str) -> str:
    return body + "&" + urlencode({"csrfmiddlewaretoken": token})


@dataclass
class PostLoad:
    """Everything wrk needs to send valid contact form POSTs."""

    headers: dict
    body_file: Path
    redirect_to: str | None

    def options(self) -> dict:
        """measure()'s and wrk()'s keyword arguments for these POSTs."""
        return {
            "script": "bench/post.lua",
            "headers": self.headers,
            "script_args": (str(self.body_file),),
        }


def prepare_posts(port: int, env: dict, run_dir: Path) -> PostLoad:
    """The contact form's body, cookie and headers, proven with one POST that must be
    answered with the redirect to the thank-you page; the run stops if it is not."""
    _, headers, _ = fetch(port, CONTACT_PATH)
    cookie = csrf_cookie(headers.get_all("Set-Cookie") or [])
    if cookie is None:
        raise SystemExit(f"{CONTACT_PATH} set no CSRF cookie: fix the site before benchmarking.")
    template = with_csrf_token(ask(env, "contact-body"), cookie[1])
    post_headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        # Production's cookie is __Host- and Secure: wrk sends it as a browser would.
        "Cookie": f"{cookie[0]}={cookie[1]}",
        "Origin": f"https://{HOST}",
        "Referer": f"https://{HOST}{CONTACT_PATH}",
    }
    status, headers, body = fetch(
        port,
        CONTACT_PATH,
        method="POST",
        headers=post_headers,
        body=template.replace(COUNTER, "probe"),
    )
    if status not in (301, 302, 303):
        page = decoded(headers, body)
        errors = re.findall(r'class="(?:errorlist|error-summary)[^"]*"[^>]*>(.*?)</ul>', page, re.S)
        text = re.sub(r"<[^>]+>", " ", " ".join(errors)).split() or [page[:200]]
        raise SystemExit(f"A valid contact form POST answered {status}: {' '.join(text)[:300]}")
    body_file = run_dir / "contact-body.txt"
    body_file.write_text(template)
    return PostLoad(headers=post_headers, body_file=body_file, redirect_to=headers.get("Location"))


def bench_posts(
    server: Server, env: dict, load: PostLoad, *, connections: int, duration: int, warmup: int
) -> dict:
    """POSTs for a fixed time; every 3xx is an accepted submission that must be stored."""
    if warmup:
        wrk(server.port, CONTACT_PATH, connections, warmup, **load.options())
    before = ask(env, "contact-requests")
    result = measure(
        server, CONTACT_PATH, connections, duration=duration, warmup=0, **load.options()
    )
    time.sleep(1)  # let requests wrk abandoned at the deadline finish before counting
    stored = ask(env, "contact-requests") - before
    accepted = sum(n for code, n in result["statuses"].items() if code.startswith("3"))
    rejected = sum(n for code, n in result["statuses"].items() if not code.startswith("3"))
    result.update(
        path=CONTACT_PATH,
        connections=connections,
        rps=round(accepted / result["seconds"], 1),
        accepted=accepted,
        rejected=rejected,
        stored=stored,
        stored_per_s=round(stored / result["seconds"], 1),
        lost=max(0, accepted - stored),
        in_flight=max(0, stored - accepted),
        redirect_to=load.redirect_to,
    )
    return result
