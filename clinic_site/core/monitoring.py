"""The checks behind /monitor, the endpoint an uptime checker polls.

/healthz answers the load balancer's question (can this host serve pages?). /monitor
answers the clinic's: is every contact request reaching a person? It fails (503) when
any registered check fails and names the failing checks, nothing else: no hosts, no
counts, no error text.

Core registers what it owns (the database takes writes, the task worker is alive, Redis
answers when configured); feature apps add their own from AppConfig.ready() with
``register()``, so core never imports them.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .logging import failure
from .models import Heartbeat
from .worker import HEARTBEAT_PREFIX

logger = logging.getLogger(__name__)

# The worker beats every loop (a few seconds); a minute of silence means it is gone.
WORKER_SILENT_AFTER = timedelta(minutes=1)

_checks: dict[str, Callable[[], bool]] = {}


def register(name: str, check: Callable[[], bool]) -> None:
    """Add a check: a function returning True while all is well."""
    _checks[name] = check


_last: tuple[float, list[str]] | None = None
_lock = threading.Lock()


def failing_checks() -> list[str]:
    """The names of the checks failing now, or as found at most MONITOR_CACHE_SECONDS ago."""
    global _last
    with _lock:
        if _last is not None and time.monotonic() - _last[0] < settings.MONITOR_CACHE_SECONDS:
            return list(_last[1])
        failed = _run_checks()
        _last = (time.monotonic(), failed)
        return list(failed)


def reset() -> None:
    """Forget the kept outcome (tests start each case from here)."""
    global _last
    with _lock:
        _last = None


def _run_checks() -> list[str]:
    failed = []
    for name, check in _checks.items():
        try:
            ok = check()
        except Exception as error:
            ok = False
            logger.warning(
                "monitoring check raised",
                extra=failure(error, event="monitor", outcome=name),
            )
        if not ok:
            failed.append(name)
    return failed


class _RolledBack(Exception):
    pass


def database_writable() -> bool:
    """A read-only file, a full disk or a refused write fails the write here; it is
    rolled back, so a call leaves nothing behind. (The worker's heartbeat, which is
    committed every few seconds, is the proof that commits succeed: "task_worker".)"""
    try:
        with transaction.atomic():
            Heartbeat.objects.create(
                name=f"monitor-probe-{uuid.uuid4().hex}", beat_at=timezone.now()
            )
            raise _RolledBack
    except _RolledBack:
        return True


def task_worker_alive() -> bool:
    latest = Heartbeat.objects.latest_beat(HEARTBEAT_PREFIX)
    return latest is not None and latest > timezone.now() - WORKER_SILENT_AFTER


def site_url_matches(host: str) -> bool:
    """SITE_URL names the host (and port) this request reached: otherwise every link in
    staff emails (invitations, password resets, notifications) points somewhere else."""
    return urlsplit(settings.SITE_URL).netloc.lower() == host.lower()


def cache_answers() -> bool:
    """Redis, when configured. The site serves without it, but slower and with per-process
    rate limits (core/circuit_breaker.py), so someone should know."""
    if not settings.REDIS_URL:
        return True
    cache.set("monitor", "1", 30)
    return cache.get("monitor") == "1"


register("database_writable", database_writable)
register("task_worker", task_worker_alive)
register("cache", cache_answers)
