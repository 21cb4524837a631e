"""Cached public pages, invalidated whenever articles change.

Every public page that shows articles (home, list, article, sitemap) is cached for
anonymous readers under a key that includes a *content version*. Saving, deleting or
bulk-updating any article drops the version, so the next request renders afresh and
an edit shows at once. A scheduled article goes public without any save, so the
version also expires by itself at the next scheduled publish time.
"""

import functools
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

VERSION_KEY = "articles:content-version"


def bump_public_pages() -> None:
    cache.delete(VERSION_KEY)


def refresh_public_pages() -> None:
    """Drop cached pages now and again at commit: a request that reads the old rows
    while the transaction is open cannot leave a stale page behind."""
    bump_public_pages()
    transaction.on_commit(bump_public_pages)


def content_version() -> str:
    from .models import Article  # models import this module

    now = timezone.now()
    entry = cache.get(VERSION_KEY)
    if entry is not None and (entry["until"] is None or entry["until"] > now):
        return entry["version"]
    next_publish = (
        Article.objects.scheduled().order_by("published_at").values_list("published_at", flat=True)
    ).first()
    lifetime = settings.PAGE_CACHE_SECONDS
    if next_publish is not None:
        lifetime = min(lifetime, max(1, int((next_publish - now).total_seconds()) + 1))
    entry = {"version": uuid.uuid4().hex, "until": now + timedelta(seconds=lifetime)}
    cache.set(VERSION_KEY, entry, lifetime)
    return entry["version"]


def cache_public_page(view):
    """Serve anonymous GETs from the cache; staff and everything else render live."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.GET or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = f"page:{content_version()}:{request.path}"
        cached = cache.get(key)
        if cached is not None:
            status, content_type, body, extra = cached
            response = HttpResponse(body, status=status, content_type=content_type)
            for header, value in extra.items():
                response.headers[header] = value
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code in (200, 301, 410) and not response.cookies:
            extra = {h: response.headers[h] for h in ("Location",) if h in response.headers}
            cache.set(
                key,
                (response.status_code, response["Content-Type"], response.content, extra),
                settings.PAGE_CACHE_SECONDS,
            )
        return response

    return wrapper
