"""`manage.py write_nginx_site`: the nginx site file, from deploy/nginx/clinic.conf.

The values nginx must agree on with the app come from the settings, so they cannot
drift apart: STATIC_ROOT and STATIC_URL, the largest body the app accepts
(ARTICLE_IMAGE_MAX_BYTES), the Content-Security-Policy and HSTS the app sends (nginx
repeats them on the static files it serves itself), and the hash of the outage page's
inline style (its CSP allows that style and nothing else). Run it again after changing
those settings or upgrading; docs/deployment.md has the steps.

It lives in sitewide because nginx must agree with every app at once (an article
image is the largest body), which only the top layer may know.
"""

import base64
import hashlib
import math
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template import Context, Engine

from clinic_site.core.management.commands.write_outage_page import render_outage_page

TEMPLATES = settings.BASE_DIR / "deploy" / "nginx"
# Room for the multipart form around an uploaded image.
FORM_OVERHEAD_MB = 1


def content_security_policy(directives: dict) -> str:
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def outage_style_hash() -> str:
    """The CSP source for the outage page's one inline <style>, the same in each language."""
    hashes = set()
    for language in ("en", "es"):
        styles = re.findall(r"<style>(.*?)</style>", render_outage_page(language), re.S)
        for style in styles:
            digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
            hashes.add(f"'sha256-{digest}'")
    return " ".join(sorted(hashes))


def outage_content_security_policy() -> str:
    return content_security_policy(
        {
            "default-src": ["'none'"],
            "style-src": [outage_style_hash()],
            "base-uri": ["'none'"],
            "form-action": ["'none'"],
            "frame-ancestors": ["'none'"],
        }
    )


def hsts() -> str:
    value = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return value


def render_site(
    *,
    server_name: str,
    upstreams: list[str],
    plain_http_listen: str | None = None,
    certificate: str = "",
    certificate_key: str = "",
) -> str:
    body_mb = math.ceil(settings.ARTICLE_IMAGE_MAX_BYTES / (1024 * 1024)) + FORM_OVERHEAD_MB
    engine = Engine(dirs=[str(TEMPLATES)], autoescape=False)
    context = {
        "server_name": server_name,
        "upstreams": upstreams,
        "tls": plain_http_listen is None,
        "listen": plain_http_listen or "",
        "certificate": certificate,
        "certificate_key": certificate_key,
        "static_url": "/" + settings.STATIC_URL.strip("/") + "/",
        "static_root": str(Path(settings.STATIC_ROOT)).rstrip("/"),
        "client_max_body_size": f"{body_mb}m",
        "csp": content_security_policy(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]),
        "outage_csp": outage_content_security_policy(),
        "hsts": hsts(),
    }
    return engine.get_template("clinic.conf").render(Context(context))


class Command(BaseCommand):
    help = "Write the nginx site file (deploy/nginx/clinic.conf filled in from the settings)"

    def add_arguments(self, parser):
        parser.add_argument("--server-name", required=True, help="e.g. clinic.example")
        parser.add_argument(
            "--upstream",
            action="append",
            help="An app host's gunicorn, host:port; repeat for each host "
            "(default: 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--certificate",
            help="TLS certificate (default: Let's Encrypt's fullchain.pem for the name)",
        )
        parser.add_argument("--certificate-key", help="Its key (default: Let's Encrypt's)")
        parser.add_argument(
            "--plain-http",
            metavar="ADDRESS:PORT",
            help="Listen there without TLS instead (tests on loopback only, never production)",
        )
        parser.add_argument("--output", help="Write here instead of standard output")

    def handle(
        self, *, server_name, upstream, certificate, certificate_key, plain_http, output, **options
    ):
        if not re.fullmatch(r"[A-Za-z0-9.*_ -]+", server_name):
            raise CommandError("--server-name: host names separated by spaces")
        letsencrypt = f"/etc/letsencrypt/live/{server_name.split()[0]}"
        site = render_site(
            server_name=server_name,
            upstreams=upstream or ["127.0.0.1:8000"],
            plain_http_listen=plain_http,
            certificate=certificate or f"{letsencrypt}/fullchain.pem",
            certificate_key=certificate_key or f"{letsencrypt}/privkey.pem",
        )
        if output:
            Path(output).write_text(site, encoding="utf-8")
        else:
            self.stdout.write(site, ending="")
