"""Counting page views in each process's memory, and adding them to the database in
batches.

``ReadershipMiddleware`` sits above the page cache (settings.MIDDLEWARE), so it sees
every page a reader gets, including the ones replayed from the cache. A view costs a
dictionary increment under a lock: no database, no cache, no network. Each process
adds what it has counted to the shared rows every READERSHIP_FLUSH_SECONDS (a thread
of its own, so no reader waits for it) and when it exits; the database does the
addition (models.CountQuerySet.add), so every worker and host adds up exactly. A
process killed outright loses at most the last few seconds of counts, and counting
never touches a contact request.

What is looked at, and then forgotten: the path (never the query string), the page's
language, the Referer's host when it is another site, and the User-Agent only to tell
robots and link previews from readers. Nothing about the reader is kept.
"""

import atexit
import contextlib
import functools
import logging
import os
import re
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as datetime_time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone, translation

from .models import DOMAIN_MAX_LENGTH, PATH_MAX_LENGTH, ExcludedHits, PageViews, UnansweredSearch

logger = logging.getLogger(__name__)

# Crawlers, monitors, command-line tools and libraries, and headless browsers: words in
# a lower-cased User-Agent (plain substring tests: a regular expression with this many
# alternatives cost more than the rest of a cached page's counting together).
ROBOT_WORDS = (
    "crawl", "spider", "slurp", "archiver", "scrap", "headless", "lighthouse", "pagespeed",
    "monitor", "uptime", "pingdom", "curl", "wget", "httpie", "python", "java/", "go-http",
    "okhttp", "axios", "node-fetch", "libwww", "perl", "ruby", "php", "feedfetch", "rss",
    "validator", "phantomjs", "selenium", "playwright", "puppeteer",
)  # fmt: skip
# "Googlebot/2.1", "bingbot", "AhrefsBot": a word ending in "bot".
_BOT = re.compile(r"bot\b")
# Apps that fetch a page to show a preview of a shared link (checked first: several
# call themselves "bot").
PREVIEW_WORDS = (
    "facebookexternalhit", "facebot", "twitterbot", "slackbot", "slack-imgproxy",
    "discordbot", "telegrambot", "whatsapp", "linkedinbot", "skypeuripreview",
    "pinterestbot", "redditbot", "embedly", "iframely", "bingpreview",
    "google-pagerenderer", "mastodon", "bluesky", "cardyb", "microsoftpreview",
)  # fmt: skip
_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")
# Forced out early when a process has counted this many different rows (many referring
# sites at once), so its memory stays small.
MAX_PENDING_ROWS = 5000


def robot_or_preview(meta) -> str | None:
    """The kind of an automated request (ExcludedHits.Kind), or None for a reader.

    ``meta`` is request.META: its User-Agent, and the Purpose a browser's prefetch sends.
    """
    purpose = meta.get("HTTP_SEC_PURPOSE", "") or meta.get("HTTP_PURPOSE", "")
    if "prefetch" in purpose.lower():
        return ExcludedHits.Kind.PREVIEW
    return _kind_of_agent(meta.get("HTTP_USER_AGENT", "")[:500])


# Most views come from a few hundred browser versions: each is told apart once per
# process. The answers live in this process's memory only, bounded, and are never
# written anywhere.
@functools.lru_cache(maxsize=1024)
def _kind_of_agent(user_agent: str) -> str | None:
    user_agent = user_agent.lower()
    # map() with the string's own __contains__: no Python frame per word.
    if any(map(user_agent.__contains__, PREVIEW_WORDS)):
        return ExcludedHits.Kind.PREVIEW
    if (
        not user_agent.strip()
        or _BOT.search(user_agent)
        or any(map(user_agent.__contains__, ROBOT_WORDS))
    ):
        return ExcludedHits.Kind.ROBOT
    return None


def referring_site(referer: str, own_host: str) -> str:
    """The other site's domain ("www.google.com"), or "" for none, this site or junk."""
    if not referer:
        return ""
    try:
        parts = urlsplit(referer[:500])
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not host or len(host) > DOMAIN_MAX_LENGTH:
        return ""
    if host == own_host or host in _own_hosts() or not _DOMAIN.fullmatch(host):
        return ""
    return host


def _own_hosts() -> set[str]:
    hosts = {urlsplit(settings.SITE_URL).hostname or ""}
    hosts |= {host.lower().lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"}
    return hosts


class Tally:
    """This process's counts since its last flush."""

    def __init__(self):
        self.lock = threading.Lock()
        self.views: Counter = Counter()
        self.excluded: Counter = Counter()
        self.searches: Counter = Counter()
        self.flusher_started = False

    def after_fork(self) -> None:
        # A forked worker starts with nothing counted and no flusher thread (threads do
        # not survive fork); the parent's counts are the parent's to flush.
        self.lock = threading.Lock()
        self.views, self.excluded, self.searches = Counter(), Counter(), Counter()
        self.flusher_started = False

    def add(self, counter: str, key: tuple) -> None:
        with self.lock:
            counts = getattr(self, counter)
            counts[key] += 1
            pending = len(counts)
        if not self.flusher_started:
            self._start_flusher()
        if pending > MAX_PENDING_ROWS:
            flush()

    def take(self) -> tuple[Counter, Counter, Counter]:
        with self.lock:
            taken = self.views, self.excluded, self.searches
            self.views, self.excluded, self.searches = Counter(), Counter(), Counter()
        return taken

    def give_back(self, views: Counter, excluded: Counter, searches: Counter) -> None:
        with self.lock:
            self.views.update(views)
            self.excluded.update(excluded)
            self.searches.update(searches)

    def _start_flusher(self) -> None:
        """The first count in a process starts its flusher thread (READERSHIP_FLUSH_SECONDS
        0: none, counts go in at exit only)."""
        seconds = settings.READERSHIP_FLUSH_SECONDS
        with self.lock:
            if self.flusher_started:
                return
            self.flusher_started = True
        if seconds > 0:
            threading.Thread(
                target=_flush_every, args=(seconds,), name="readership-flush", daemon=True
            ).start()


_tally = Tally()
os.register_at_fork(after_in_child=_tally.after_fork)


def count_view(*, day, path: str, language: str, referrer: str) -> None:
    _tally.add("views", (day, path, language, referrer))


def count_excluded(*, day, kind: str) -> None:
    _tally.add("excluded", (day, kind))


def count_unanswered_search(*, day, language: str, term: str) -> None:
    _tally.add("searches", (day, language, term))


class _Today:
    """The clinic's date, worked out again only when the clock leaves the day it was
    worked out for (time zone arithmetic on every page view cost more than the rest of
    counting together)."""

    def __init__(self):
        self.state = (0.0, 0.0, None)  # [start, end) in epoch seconds, and that day

    def __call__(self):
        start, end, day = self.state
        if not start <= time.time() < end:
            day = timezone.localdate()
            zone = timezone.get_current_timezone()
            start = datetime.combine(day, datetime_time.min, tzinfo=zone).timestamp()
            following = day + timedelta(days=1)
            end = datetime.combine(following, datetime_time.min, tzinfo=zone).timestamp()
            self.state = (start, end, day)  # one assignment: threads see all or nothing
        return day


today = _Today()


def forget() -> None:
    """Drop what this process has counted and not flushed (each test starts from here)."""
    _tally.take()


_flush_lock = threading.Lock()


def flush() -> int:
    """Add this process's counts to the database; how many rows were added to.

    One transaction: either every count goes in or none does, and then they are kept
    for the next try (a database outage loses nothing while the process lives).
    """
    with _flush_lock:
        views, excluded, searches = _tally.take()
        if not (views or excluded or searches):
            return 0
        from django.db import transaction

        try:
            with transaction.atomic():
                for (day, path, language, referrer), count in views.items():
                    PageViews.objects.add(
                        count, day=day, path=path, language=language, referrer=referrer
                    )
                for (day, kind), count in excluded.items():
                    ExcludedHits.objects.add(count, day=day, kind=kind)
                for (day, language, term), count in searches.items():
                    UnansweredSearch.objects.add(count, day=day, language=language, term=term)
        except DatabaseError as error:
            _tally.give_back(views, excluded, searches)
            logger.warning(
                "readership counts not stored yet",
                extra={"event": "readership.flush", "error_type": type(error).__name__},
            )
            return 0
        return len(views) + len(excluded) + len(searches)


def _flush_every(seconds: float) -> None:
    while True:
        time.sleep(seconds)
        try:
            flush()
        except Exception as error:  # never let the thread die: the next flush may work
            logger.warning(
                "readership flush failed",
                extra={"event": "readership.flush", "error_type": type(error).__name__},
            )
        finally:
            # This thread's own connection: not kept open between flushes.
            close_old_connections()
            connection.close()


@atexit.register
def _flush_at_exit() -> None:
    # gunicorn workers leave through sys.exit (restart, reload, stop): what they counted
    # since their last flush goes in first. A killed process cannot do this.
    with contextlib.suppress(Exception):  # at exit there is no one left to tell
        flush()


# --- Which requests are page views ------------------------------------------------------


def _skipped_prefixes() -> tuple[str, ...]:
    return (
        "/" + settings.ADMIN_URL,
        "/editor/",
        "/staff/",
        "/" + settings.STATIC_URL.lstrip("/"),
        "/" + settings.MEDIA_URL.lstrip("/"),
        "/healthz",
        "/monitor",
        "/robots.txt",
        "/sitemap.xml",
        "/favicon.ico",
        "/.well-known/",
    )


def is_staff_request(request) -> bool:
    # Readers never have a session: only staff log in. Cached pages are only served to
    # requests without one, so a cache hit never gets this far.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return user is None or user.is_authenticated


class ReadershipMiddleware:
    """Counts the public pages readers get (settings.READERSHIP_COUNTING)."""

    def __init__(self, get_response):
        if not settings.READERSHIP_COUNTING:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.skipped = _skipped_prefixes()

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "GET" and not request.path.startswith(self.skipped):
            try:
                self.count(request, response)
            except Exception as error:  # a count is never worth a reader's page
                logger.warning(
                    "readership count failed",
                    extra={"event": "readership.count", "error_type": type(error).__name__},
                )
        return response

    @staticmethod
    def count(request, response) -> None:
        if response.status_code == 200:
            if not response.get("Content-Type", "").startswith("text/html"):
                return
        elif response.status_code != 304:  # a reload answered "not modified" is a view
            return
        if is_staff_request(request):
            return
        day = today()
        kind = robot_or_preview(request.META)
        if kind:
            count_excluded(day=day, kind=kind)
            return
        host = request.META.get("HTTP_HOST", "").rsplit(":", 1)[0].lower()
        language = response.get("Content-Language") or (
            translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        )
        count_view(
            day=day,
            path=request.path[:PATH_MAX_LENGTH],
            language=language[:2],
            referrer=referring_site(request.META.get("HTTP_REFERER", ""), host),
        )


def record_unanswered_search(request, raw_query: str) -> None:
    """A reader's search found nothing: count its cleaned words (searches.py) for today.

    Robots' and staff's searches are not counted."""
    from .searches import clean_term

    if not settings.READERSHIP_COUNTING or is_staff_request(request):
        return
    if robot_or_preview(request.META):
        return
    term = clean_term(raw_query)
    if term:
        count_unanswered_search(day=today(), language=translation.get_language()[:2], term=term)
