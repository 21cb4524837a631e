import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clinic_site.articles.models import Article, Topic

logger = logging.getLogger(__name__)


def home(request):
    articles = list(Article.objects.published().only("title", "slug", "summary", "topic", "order"))
    topics = [
        (label, [article for article in articles if article.topic == value])
        for value, label in Topic.choices
    ]
    return render(
        request,
        "core/home.html",
        {"topics": [(label, items) for label, items in topics if items]},
    )


def privacy(request):
    return render(request, "core/privacy.html")


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        f"Disallow: /{settings.ADMIN_URL}",
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
    """200 when the database (and Redis, when configured) answer; 503 otherwise."""
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable"}, status=200 if healthy else 503
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.warning("health check: database unavailable", extra={"event": "healthz"})
        return False


def _cache_ok() -> bool:
    if not settings.REDIS_URL:
        return True
    try:
        cache.set("healthz", "1", 5)
        return cache.get("healthz") == "1"
    except Exception:
        logger.warning("health check: cache unavailable", extra={"event": "healthz"})
        return False


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors can be trusted here: render with settings-only context.
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(
        template.render({"urgent_help_text": settings.URGENT_HELP_TEXT}), status=500
    )
