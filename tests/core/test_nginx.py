"""The shipped nginx site (deploy/nginx/clinic.conf) in front of gunicorn, for real.

Debian's nginx runs the site file that `manage.py write_nginx_site` writes from the
template, with --plain-http on a loopback port instead of TLS (nothing else differs),
in front of the project's gunicorn.conf.py with the production settings and
collectstatic's output: static files from nginx with their caching and security
headers, pages proxied with the X-Forwarded-* headers, the body limit, the outage page
in both languages when nothing answers, and two app hosts on one PostgreSQL and Redis
where one is killed under load without a failed read or a lost or doubled contact
request. Skipped without nginx, and failed under REQUIRE_SERVICES=1 (tests/services.py).
"""

import base64
import contextlib
import hashlib
import http.client
import os
import re
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test import override_settings

from clinic_site.settings import CONTENT_SECURITY_POLICY
from clinic_site.sitewide.management.commands.write_nginx_site import render_site
from tests import servers
from tests.servers import free_port, manage, nginx, nginx_binary, production_env
from tests.services import redis_url, scratch_postgres_database

pytestmark = pytest.mark.server

HOST = {"Host": "clinic.example"}
SITE_CSP = "; ".join(f"{k} {' '.join(v)}" for k, v in CONTENT_SECURITY_POLICY["DIRECTIVES"].items())


def get(port, path, headers=None, **kwargs):
    return servers.request(port, path, headers={**HOST, **(headers or {})}, **kwargs)


def site_env(folder: Path, static_root: Path, **overrides) -> dict:
    settings = {
        "DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}",
        "STATIC_ROOT": str(static_root),
        "REDIS_URL": None,
        # nginx listens on plain HTTP here; production's proxy terminates TLS.
        "SECURE_SSL_REDIRECT": "0",
        "CONTACT_RATE_LIMIT": "100000",  # every test client is 127.0.0.1
        "CLINIC_PHONE": "(555) 010-0142",
    }
    return production_env(**{**settings, **overrides})


def run(*command: str, env: dict) -> None:
    result = manage(*command, env=env)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """collectstatic's output and the outage pages, as `make serve` and systemd write them."""
    nginx_binary()
    folder = tmp_path_factory.mktemp("nginx-static")
    env = site_env(folder, folder / "static")
    run("collectstatic", "--noinput", "--verbosity", "0", env=env)
    run("write_outage_page", "--verbosity", "0", env=env)
    return folder / "static"


def write_site(folder: Path, static_root: Path, port: int, upstreams: list[int]) -> Path:
    """The site file as `write_nginx_site --plain-http` writes it (rendered in-process)."""
    site = folder / "site.conf"
    with override_settings(STATIC_ROOT=static_root):
        site.write_text(
            render_site(
                server_name="clinic.example",
                upstreams=[f"127.0.0.1:{upstream}" for upstream in upstreams],
                plain_http_listen=f"127.0.0.1:{port}",
            )
        )
    return site


def directives(csp: str) -> set[str]:
    """A policy's directives, in any order (django-csp does not keep the settings' order)."""
    return {directive.strip() for directive in csp.split(";")}


def assert_security_headers(headers, csp=SITE_CSP):
    assert directives(headers["Content-Security-Policy"]) == directives(csp)
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


@pytest.fixture(scope="module")
def site(tmp_path_factory, static_root):
    """nginx on a free port in front of one gunicorn (production settings, SQLite)."""
    folder = tmp_path_factory.mktemp("nginx-site")
    env = site_env(folder, static_root)
    run("migrate", "--noinput", "--verbosity", "0", env=env)
    app_port, port = free_port(), free_port()
    conf = write_site(folder, static_root, port, [app_port])
    with (
        servers.gunicorn(
            env,
            folder / "gunicorn.log",
            settings="clinic_site.settings",
            port=app_port,
            arguments=["--workers", "2"],
        ),
        nginx(conf, port, folder / "nginx"),
    ):
        yield port, folder


def test_static_files_come_from_nginx_cached_for_a_year_with_the_security_headers(site):
    port, folder = site
    status, _, body = get(port, "/")
    assert status == 200
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body.decode()).group(1)

    status, headers, css = get(port, stylesheet, {"Accept-Encoding": "gzip"})

    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Type"] == "text/css"
    assert headers["Content-Encoding"] == "gzip"  # collectstatic's .gz, sent as it is
    assert "gunicorn" not in headers.get("Server", "") and headers["Server"] == "nginx"
    assert_security_headers(headers)
    # An unhashed name may change at the next release: a minute only.
    status, headers, _ = get(port, "/static/css/site.css")
    assert status == 200 and headers["Cache-Control"] == "public, max-age=60"
    assert_security_headers(headers)
    # A missing file is nginx's 404, with the headers too.
    status, headers, _ = get(port, "/static/css/nothing-here.css")
    assert status == 404
    assert_security_headers(headers)


def test_pages_come_from_the_app_with_its_own_headers(site):
    port, _ = site
    status, headers, body = get(port, "/es/")

    assert status == 200 and b'lang="es"' in body
    # The app's headers, once each (nginx adds none of its own to pages).
    policies = headers.get_all("Content-Security-Policy")
    assert len(policies) == 1 and directives(policies[0]) == directives(SITE_CSP)
    assert headers.get_all("X-Frame-Options") == ["DENY"]


class Echo(BaseHTTPRequestHandler):
    """An upstream that answers with the request headers it was given."""

    def do_GET(self):
        body = "".join(f"{k}: {v}\n" for k, v in self.headers.items()).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        remaining = length
        while remaining:
            remaining -= len(self.rfile.read(min(remaining, 65536)))
        body = f"received {length}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def echo_site(tmp_path):
    """nginx with the site file, in front of the Echo upstream."""
    nginx_binary()
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=upstream.serve_forever, daemon=True)
    thread.start()
    port = free_port()
    conf = write_site(tmp_path, tmp_path / "static", port, [upstream.server_address[1]])
    try:
        with nginx(conf, port, tmp_path / "nginx"):
            yield port
    finally:
        upstream.shutdown()
        upstream.server_close()


def test_the_app_is_told_the_host_scheme_and_client_address(echo_site):
    status, _, body = get(echo_site, "/about/?q=1", {"X-Forwarded-For": "203.0.113.9"})

    assert status == 200
    seen = dict(line.split(": ", 1) for line in body.decode().splitlines())
    assert seen["Host"] == "clinic.example"
    assert seen["X-Forwarded-Host"] == "clinic.example"
    assert seen["X-Forwarded-Proto"] == "http"  # the scheme nginx received: https in production
    # Appended to what the client claimed: the app reads the last entry (PROXY_COUNT=1).
    assert seen["X-Forwarded-For"] == "203.0.113.9, 127.0.0.1"


def test_bodies_up_to_the_upload_limit_pass_and_larger_ones_are_refused(echo_site, settings):
    limit = (settings.ARTICLE_IMAGE_MAX_BYTES // (1024 * 1024) + 1) * 1024 * 1024

    image_sized = settings.ARTICLE_IMAGE_MAX_BYTES + 100_000
    status, _, body = get(echo_site, "/editor/upload/", method="POST", body=b"x" * image_sized)
    assert (status, body) == (200, f"received {image_sized}\n".encode())

    connection = http.client.HTTPConnection("127.0.0.1", echo_site, timeout=10)
    try:
        connection.putrequest("POST", "/editor/upload/", skip_host=True)
        connection.putheader("Host", "clinic.example")
        connection.putheader("Content-Length", str(limit + 1))
        connection.endheaders()
        assert connection.getresponse().status == 413  # before a byte of it is read
    finally:
        connection.close()


def test_with_no_app_answering_nginx_serves_the_outage_page_in_the_page_language(
    tmp_path, static_root
):
    port, stopped = free_port(), free_port()  # nothing listens on the app's port
    conf = write_site(tmp_path, static_root, port, [stopped])

    with nginx(conf, port, tmp_path / "nginx"):
        english = get(port, "/articles/")
        spanish = get(port, "/es/articles/")
        posted = get(port, "/contact/", method="POST", body=b"name=x")
        # Asked for directly, it is not there: only nginx's error handling reaches it.
        assert get(port, "/outage.html")[0] == 404

    for (status, headers, body), lang, words in (
        (english, "en", "may not have received it"),
        (spanish, "es", "es posible que no lo hayamos recibido"),
        (posted, "en", "may not have received it"),
    ):
        html = body.decode()
        assert status == 502
        assert f'lang="{lang}"' in html and words in html
        assert 'href="tel:(555)010-0142"' in html  # this deployment's CLINIC_PHONE
        assert headers["Cache-Control"] == "no-store"
        assert headers["Content-Type"].startswith("text/html")
        csp = headers["Content-Security-Policy"]
        assert_security_headers(headers, csp=csp)
        # Its one inline style is allowed by its hash, and nothing else is.
        style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert directives(csp) == {
            "default-src 'none'",
            f"style-src 'sha256-{digest}'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        }


def test_the_tls_site_file_is_valid_for_nginx(tmp_path):
    """The production variant (TLS, redirect from port 80) passes `nginx -t`."""
    import subprocess

    binary = nginx_binary()
    key, certificate = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=clinic.example",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = tmp_path / "site.conf"
    result = manage(
        "write_nginx_site",
        "--server-name",
        "clinic.example www.clinic.example",
        "--certificate",
        str(certificate),
        "--certificate-key",
        str(key),
        "--upstream",
        "127.0.0.1:8000",
        "--upstream",
        "10.0.0.2:8000",
        "--output",
        str(site),
        env=site_env(tmp_path, tmp_path / "static"),
    )
    assert result.returncode == 0, result.stderr
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid; error_log stderr; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {site}; }}\n"
    )
    checked = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr
    text = site.read_text()
    assert "return 301 https://$host$request_uri;" in text
    assert "Strict-Transport-Security" in text


# --- Two app hosts, one killed under load --------------------------------------------

LOAD_PATHS = ["/", "/privacy/", "/es/", "/contact/"]
# Each client pauses this long between requests: requests are still always in flight
# when the host is killed (each takes longer), without the load using every cycle.
PAUSE = 0.02


def contact_form(number: int) -> dict:
    return {
        "name": f"Kill test {number}",
        "email": f"kill{number}@example.com",
        "phone": "",
        "preferred_contact_method": "email",
        "best_time": "",
        "interest": "depression",
        "message": "Could infusions help with my depression?",
        "consent": "on",
        "website": "",
    }


def send_contact_request(port: int, number: int):
    """Load the form through nginx, then send it: (status, Location)."""
    status, headers, body = get(port, "/contact/", timeout=30)
    assert status == 200, status
    html = body.decode()
    cookie = next(
        value.split(";", 1)[0] for value in headers.get_all("Set-Cookie") if "csrftoken=" in value
    )
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert "csrfmiddlewaretoken" in fields and "submission_token" in fields
    form = urlencode({**contact_form(number), **fields})
    status, headers, _ = get(
        port,
        "/contact/",
        method="POST",
        body=form,
        timeout=60,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    return status, headers.get("Location")


def test_one_of_two_hosts_killed_under_load_fails_no_reader_and_loses_no_request(
    tmp_path, static_root
):
    import psycopg

    with scratch_postgres_database("clinic_nginx") as database:
        env = site_env(tmp_path, static_root, DATABASE_URL=database, REDIS_URL=redis_url())
        run("migrate", "--noinput", "--verbosity", "0", env=env)
        port = free_port()
        first, second = free_port(), free_port()
        conf = write_site(tmp_path, static_root, port, [first, second])
        gets, posts, errors = [], [], []
        stop = threading.Event()
        numbers = iter(range(1, 100_000))
        lock = threading.Lock()

        def reader(offset):
            number = offset
            while not stop.is_set():
                path = LOAD_PATHS[number % len(LOAD_PATHS)]
                number += 1
                try:
                    gets.append((path, get(port, path, timeout=30)[0]))
                except Exception as error:
                    errors.append(f"GET {path}: {type(error).__name__}: {error}")
                stop.wait(PAUSE)

        def writer():
            while not stop.is_set():
                with lock:
                    number = next(numbers)
                try:
                    posts.append((number, send_contact_request(port, number)))
                except Exception as error:
                    errors.append(f"POST {number}: {type(error).__name__}: {error}")
                stop.wait(PAUSE)

        arguments = ["--workers", "2"]
        with (
            servers.gunicorn(
                env,
                tmp_path / "first.log",
                settings="clinic_site.settings",
                port=first,
                arguments=arguments,
            ) as (_, first_process),
            servers.gunicorn(
                env,
                tmp_path / "second.log",
                settings="clinic_site.settings",
                port=second,
                arguments=arguments,
            ),
            nginx(conf, port, tmp_path / "nginx"),
        ):
            threads = [threading.Thread(target=reader, args=(n,)) for n in range(2)]
            threads += [threading.Thread(target=writer) for _ in range(3)]
            for thread in threads:
                thread.start()
            time.sleep(2)  # real requests through real nginx and gunicorn before the crash
            before = len(posts)
            # The whole host at once: master and workers, mid-request, with no warning.
            os.killpg(first_process.pid, signal.SIGKILL)
            time.sleep(3)  # and after it, while the other host takes over
            stop.set()
            for thread in threads:
                thread.join(timeout=90)
            assert not any(thread.is_alive() for thread in threads), "a client hung"
            with contextlib.suppress(ChildProcessError):
                first_process.wait(timeout=10)

        with psycopg.connect(database, connect_timeout=10) as db:
            stored = [row[0] for row in db.execute("SELECT name FROM intake_contactrequest")]

    print(f"{len(gets)} reads, {len(posts)} contact requests ({before} before the kill)")
    # nginx did meet the dead host (and sent those requests on to the other one).
    nginx_log = (tmp_path / "nginx" / "error.log").read_text()
    assert re.search(r"Connection refused|prematurely closed|reset by peer", nginx_log)
    assert errors == []
    assert before > 0 and len(posts) > before  # requests were sent before and after the kill
    assert len(gets) > 20
    assert [result for result in gets if result[1] != 200] == []
    assert [result for result in posts if result[1] != (302, "/contact/thanks/")] == []
    # Every request that was answered "sent" is stored, and once.
    assert sorted(stored) == sorted(contact_form(number)["name"] for number, _ in posts)
