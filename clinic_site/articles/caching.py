"""Cached public pages, invalidated whenever articles change.

Every public page that shows articles (home, list, article, sitemap) is cached for
anonymous readers (``PublicPageCacheMiddleware``) under a key that includes a *content
version*. Saving, deleting or
bulk-updating any article drops the version, so the next request renders afresh and
an edit shows at once. A scheduled article goes public without any save, so the
version also expires by itself at the next scheduled publish time; scheduled changes
to a live article are published when that happens (``publish_due_changes``).
"""

import functools
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Min, Q
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone

VERSION_KEY = "articles:content-version"

logger = logging.getLogger(__name__)


def bump_public_pages() -> None:
    try:
        cache.delete(VERSION_KEY)
    except Exception:
        # With the cache down nothing is served from it either; saving must go on.
        logger.warning("page cache unavailable", extra={"event": "page_cache.bump"})


def refresh_public_pages() -> None:
    """Drop cached pages now and again at commit: a request that reads the old rows
    while the transaction is open cannot leave a stale page behind."""
    bump_public_pages()
    transaction.on_commit(bump_public_pages)


def content_version() -> str:
    from .models import Article, Status, publish_due_changes  # models import this module

    now = timezone.now()
    entry = cache.get(VERSION_KEY)
    if entry is not None and (entry["until"] is None or entry["until"] > now):
        return entry["version"]
    # One query for what the schedule holds: the next article or change to go public,
    # and whether changes to a live article are already due (published here, so every
    # page built under the new version shows them).
    schedule = Article.objects.aggregate(
        next_article=Min("published_at", filter=Q(status=Status.PUBLISHED, published_at__gt=now)),
        next_changes=Min(
            "draft_publish_at", filter=Q(draft__isnull=False, draft_publish_at__gt=now)
        ),
        changes_due=Count("pk", filter=Q(draft__isnull=False, draft_publish_at__lte=now)),
    )
    if schedule["changes_due"]:
        publish_due_changes(now)
    upcoming = [schedule["next_article"], schedule["next_changes"]]
    next_publish = min((when for when in upcoming if when is not None), default=None)
    lifetime = settings.PAGE_CACHE_SECONDS
    if next_publish is not None:
        lifetime = min(lifetime, max(1, int((next_publish - now).total_seconds()) + 1))
    entry = {"version": uuid.uuid4().hex, "until": now + timedelta(seconds=lifetime)}
    cache.set(VERSION_KEY, entry, lifetime)
    return entry["version"]


def publish_scheduled_changes() -> None:
    """Make sure changes scheduled for now are public before a page is built.

    The content version's cache entry expires at the next scheduled time and is
    rebuilt by publishing what is due, so while it is valid nothing is due: a cache
    read, no query. Pages the cache does not serve (staff, search) call this first.
    """
    from .models import publish_due_changes

    try:
        content_version()
    except Exception:
        publish_due_changes()


def cache_public_page(view):
    """Mark the view's pages as the same for every anonymous reader (see the middleware)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if not request.user.is_authenticated:
            response.public_cacheable = True
        return response

    return wrapper


class PublicPageCacheMiddleware:
    """Serve cached public pages to anonymous readers before the rest of the stack runs.

    It sits just below WhiteNoise: a hit skips sessions, CSRF, authentication, gzip and
    the view, and replays the stored response exactly as the layers below produced it
    (compressed body, ETag, CSP and other headers), answering 304 to a matching
    If-None-Match. Only plain GETs without a query string from visitors without a
    session or messages cookie qualify, and only responses marked by
    ``cache_public_page`` that set no cookie are stored, so staff always see live
    pages and nothing personal is ever cached.
    """

    STATUSES = {200, 301, 410}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._eligible(request):
            return self.get_response(request)
        gzip = "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")
        try:
            key = f"page:{content_version()}:{'gz' if gzip else 'id'}:{request.path}"
            entry = cache.get(key)
        except Exception:
            # Cache or database unavailable: answer live, so the site keeps working
            # and /healthz can report the outage itself.
            return self.get_response(request)
        if entry is not None:
            return self._replay(request, *entry)
        response = self.get_response(request)
        if (
            getattr(response, "public_cacheable", False)
            and response.status_code in self.STATUSES
            and not response.cookies
            and not response.streaming
        ):
            headers = [(name, value) for name, value in response.items()]
            try:
                cache.set(
                    key,
                    (response.status_code, headers, response.content),
                    settings.PAGE_CACHE_SECONDS,
                )
            except Exception:
                logger.warning("page cache unavailable", extra={"event": "page_cache.store"})
        return response

    @staticmethod
    def _eligible(request) -> bool:
        return (
            request.method == "GET"
            and not request.META.get("QUERY_STRING")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
        )

    @staticmethod
    def _replay(request, status, headers, body):
        stored = dict(headers)
        etag = stored.get("ETag")
        if status == 200 and etag and etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
            response = HttpResponseNotModified()
            for name in ("ETag", "Cache-Control", "Vary", "Content-Security-Policy"):
                if name in stored:
                    response.headers[name] = stored[name]
            return response
        response = HttpResponse(body, status=status)
        for name, value in headers:
            response.headers[name] = value
        return response
