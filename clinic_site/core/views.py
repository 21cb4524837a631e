import hmac
import ipaddress
import logging
import sys
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clinic_site.core import monitoring, outage

logger = logging.getLogger(__name__)


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's, feeds')."""
    response = redirect(static("img/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        # Never the admin's address: robots.txt is public, and a moved ADMIN_URL is
        # meant to be found by nobody. Admin pages say noindex in a header instead.
        "Disallow: /editor/",
        "Disallow: /contact/thanks/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
def security_txt(request):
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {settings.SECURITY_TXT_EXPIRES}",
        "Preferred-Languages: en",
        f"Canonical: {request.build_absolute_uri()}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers; 503 otherwise.

    Redis is not asked: while it is down or frozen this host still serves every page
    (core/circuit_breaker.py's circuit breaker), and a Redis outage must not take every host out
    of the load balancer at once. /monitor reports it (its "cache" check).
    """
    checks = {"database": _database_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable"}, status=200 if healthy else 503
    )


@never_cache
@require_GET
def monitor(request):
    """For uptime checkers: 200, or 503. Only the clinic's monitors learn which checks
    fail (core/monitoring.py): the token, or a call on the host itself."""
    failed = [*monitoring.failing_checks()]
    if not monitoring.site_url_matches(request.get_host()):
        failed.append("site_url")
    body = {"status": "failing" if failed else "ok"}
    if failed and _is_the_clinics_monitor(request):
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)


def _is_the_clinics_monitor(request) -> bool:
    """``Authorization: Bearer <MONITOR_TOKEN>``, or a caller on this host itself.

    On the host means a loopback socket with no X-Forwarded-For: the proxy on the same
    host connects from loopback too, but always adds the header, which no client can
    take off.
    """
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    expected = settings.MONITOR_TOKEN
    if expected and scheme.lower() == "bearer" and token:
        return hmac.compare_digest(token.strip().encode(), expected.encode())
    try:
        local = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False
    return local and "HTTP_X_FORWARDED_FOR" not in request.META


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.warning("health check: database unavailable", extra={"event": "healthz"})
        return False


# The only kinds of upload the site accepts (articles/images.py re-encodes to these).
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}


@require_GET
def media_file(request, path):
    """An uploaded image from MEDIA_ROOT, and nothing else.

    The type comes from this allowlist, never from the file or the browser's guess
    (nosniff); anything that is not a PNG, JPEG or WebP under MEDIA_ROOT is a 404, so a
    stray HTML or SVG file can never be served from the site's origin. The response
    carries its own locked-down CSP in case it is ever opened as a document.
    """
    if not settings.SERVE_MEDIA:
        raise Http404
    relative = PurePosixPath(path)
    content_type = MEDIA_TYPES.get(relative.suffix.lower())
    if (
        content_type is None
        or relative.is_absolute()
        or any(part in ("", ".", "..") or part.startswith(".") for part in relative.parts)
    ):
        raise Http404
    root = Path(settings.MEDIA_ROOT).resolve()
    full = (root / relative).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        raise Http404
    response = FileResponse(full.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    # Stored names are random and never reused: a year, without revalidation.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response._csp_config = {"default-src": ["'none'"], "sandbox": True}
    return response


# --- Error pages: each gives the clinic's phone and urgent help (tests/core/test_error_pages.py)


def bad_request(request, exception):
    # The request itself may be what is wrong (a Host the site does not serve): nothing
    # on this page reads it beyond its path.
    return outage.render_standalone(request, "400.html", status=400)


def permission_denied(request, exception):
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """A form posted without a valid security token: an old page or a blocked cookie.
    (Django's CSRF middleware has already logged the refusal.)"""
    return render(request, "403.html", status=403)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    """The page for an unhandled exception; a database outage gets the outage page, 503.

    Django calls this inside its exception handler, so the exception is at hand. No
    context processors can be trusted here: settings-only context (core/outage.py).
    """
    if outage.is_database_outage(sys.exc_info()[1]):
        return outage.outage_response(request)
    return outage.render_standalone(request, "500.html", status=500)
