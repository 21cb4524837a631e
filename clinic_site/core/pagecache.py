"""Cached public pages for anonymous readers, correct on every worker and host.

Public pages that show articles (home, list, article, sitemap) are the same for every
anonymous reader, so each process keeps the finished responses in memory and replays
them (``PublicPageCacheMiddleware``). What keeps those copies honest is the *content
version*, one row in the database (``ContentVersion``) that every process checks at
most every ``PAGE_CACHE_CHECK_SECONDS``: a feature app that changes public content calls
``content_changed()``, which writes a new version in the same transaction, and every
process drops its copies at its next check. The row also carries the next time content
changes by itself (a scheduled article becoming visible at its time), which feature
apps report through ``register_schedule()``; the first process to see that time pass
writes a new version, and nothing else: publishing scheduled changes is a feature's
periodic job (articles/scheduling.py), never a reader's request.

While the database is unreachable, a reader still gets this process's copy of a page,
however old, marked ``X-Served-Stale: database-unavailable`` and never cached further;
a page without a copy is the outage page (core/outage.py).

This module knows no feature app: they tell it about changes (``content_changed``) and
about their schedules (``register_schedule``), and mark their views with
``cache_public_page``.
"""

import functools
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone

from .outage import is_database_outage

logger = logging.getLogger(__name__)

SINGLETON = 1

# On a page served from a copy while the database could not be asked whether it is
# current, so a proxy's log or a monitor can count them.
STALE_HEADER = "X-Served-Stale"


# {name: a function giving when public content next changes by itself, or None}.
_schedules: dict[str, Callable[[], datetime | None]] = {}


def register_schedule(name: str, next_change: Callable[[], datetime | None]) -> None:
    """Add a time at which cached pages expire by themselves (e.g. a scheduled article
    becomes visible): ``next_change()`` gives the next such time, or None.

    Every registered schedule counts (the earliest time wins); registering a name again
    replaces only that one, so an app's ready() may run twice.
    """
    _schedules[name] = next_change


def next_scheduled_change() -> datetime | None:
    """The earliest time any registered schedule names (None if none does)."""
    times = (next_change() for next_change in _schedules.values())
    return min((when for when in times if when is not None), default=None)


def content_changed() -> None:
    """Public content changed: every process's cached pages are stale.

    Writes the new version in the caller's transaction (so no process can see the
    new version with the old rows), and forgets this process's copies when it commits.
    """
    _write_version()
    _pages.forget()
    transaction.on_commit(_pages.forget)


def _write_version(*, replacing: str | None = None):
    """A new version row; with ``replacing``, only if the row still holds that version
    (several processes may notice a scheduled change at once: one of them writes)."""
    from .models import ContentVersion

    fields = {"version": uuid.uuid4().hex, "valid_until": next_scheduled_change()}
    if replacing is None:
        ContentVersion.objects.update_or_create(pk=SINGLETON, defaults=fields)
    else:
        ContentVersion.objects.filter(pk=SINGLETON, version=replacing).update(
            **fields, changed_at=timezone.now()
        )


def _read_version():
    from .models import ContentVersion

    return ContentVersion.objects.filter(pk=SINGLETON).values("version", "valid_until").first()


class _ProcessPages:
    """This process's copies of public pages, valid for one content version."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.version: str | None = None
        self.valid_until: datetime | None = None
        self.checked_at = float("-inf")
        self.entries: OrderedDict[str, tuple] = OrderedDict()

    def forget(self) -> None:
        with self.lock:
            self.reset()

    def current_version(self) -> str:
        now = time.monotonic()
        with self.lock:
            fresh = now - self.checked_at < settings.PAGE_CACHE_CHECK_SECONDS
            due = self.valid_until is not None and self.valid_until <= timezone.now()
            if self.version is not None and fresh and not due:
                return self.version
        row = _read_version()
        if row is None or (row["valid_until"] and row["valid_until"] <= timezone.now()):
            # The version row is the only thing a reader's request ever writes.
            _write_version(replacing=row["version"] if row else None)
            row = _read_version()
        with self.lock:
            if row["version"] != self.version:
                self.entries.clear()
            self.version, self.valid_until = row["version"], row["valid_until"]
            self.checked_at = now
            return self.version

    def get(self, key: str):
        with self.lock:
            entry = self.entries.get(key)
            # A copy past PAGE_CACHE_SECONDS is not served normally, but is kept (within
            # PAGE_CACHE_MAX_ENTRIES) for stale(): better than an error page in an outage.
            if entry is None or time.monotonic() - entry[0] > settings.PAGE_CACHE_SECONDS:
                return None
            self.entries.move_to_end(key)
            return entry[1:]

    def stale(self, suffix: str):
        """The copy of a page under the last version this process knew, however old:
        for when the database cannot say whether it is still current."""
        with self.lock:
            if self.version is None:
                return None
            entry = self.entries.get(f"{self.version}|{suffix}")
            return None if entry is None else entry[1:]

    def put(self, key: str, status: int, headers: list, body: bytes) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic(), status, headers, body)
            self.entries.move_to_end(key)
            while len(self.entries) > settings.PAGE_CACHE_MAX_ENTRIES:
                self.entries.popitem(last=False)


_pages = _ProcessPages()


def reset() -> None:
    """Forget every cached page in this process (tests start each case from here)."""
    _pages.forget()


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
    pages and nothing personal is ever cached. The key holds the request's host, so
    a request naming another (allowed) host or port can never change what other
    readers receive through their canonical links and structured data.
    """

    STATUSES = {200, 301, 410}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._eligible(request):
            return self.get_response(request)
        encoding = "gz" if "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "") else "id"
        try:
            suffix = f"{encoding}|{request.get_host()}|{request.path}"
        except DisallowedHost:
            return self.get_response(request)
        # For process_exception(): a view that fails for want of the database.
        request._page_cache_suffix = suffix
        try:
            key = f"{_pages.current_version()}|{suffix}"
        except Exception as error:
            logger.warning("page cache unavailable", extra={"event": "page_cache.version"})
            stale = self._stale(suffix) if is_database_outage(error) else None
            # Without a copy, answer live: the view fails as it would, and the site's
            # error handler turns a database outage into the outage page (core/outage.py).
            return stale if stale is not None else self.get_response(request)
        entry = _pages.get(key)
        if entry is not None:
            return self._replay(request, *entry)
        response = self.get_response(request)
        if (
            getattr(response, "public_cacheable", False)
            and response.status_code in self.STATUSES
            and not response.cookies
            and not response.streaming
        ):
            _pages.put(key, response.status_code, list(response.items()), response.content)
        return response

    def process_exception(self, request, exception):
        """The database went away between two version checks: a copy of the page, if
        this process has one, rather than the outage page."""
        suffix = getattr(request, "_page_cache_suffix", None)
        if suffix is None or not is_database_outage(exception):
            return None
        return self._stale(suffix)

    def _stale(self, suffix: str):
        entry = _pages.stale(suffix)
        if entry is None:
            return None
        status, headers, body = entry
        response = HttpResponse(body, status=status)
        for name, value in headers:
            if name not in ("ETag", "Cache-Control", "Last-Modified"):
                response.headers[name] = value
        # Possibly out of date: for this moment only, never kept by a browser or proxy.
        response.headers["Cache-Control"] = "no-store"
        response.headers[STALE_HEADER] = "database-unavailable"
        logger.info("stale page served", extra={"event": "page_cache.stale"})
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
