"""Cache-backed rate limits, keyed on a hash of the client address (never the raw IP).

With REDIS_URL set the counters are shared by every worker and host. While Redis cannot
be reached (core/circuit_breaker.py's circuit is open) each process counts in its own memory
instead: a client may then get (processes x limit) through, but the limit never
switches off. The client address comes from ``clinic_site.core.net.client_ip``.
"""

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

from .circuit_breaker import CacheUnavailable
from .net import keyed_hash

# This process's own counters, used only while the shared cache is unavailable.
_local = LocMemCache("ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})


def hit(scope: str, client: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True while this client is within `limit` per `window` seconds."""
    return hit_count(scope, client, window=window) <= limit


def hit_count(scope: str, client: str, *, window: int) -> int:
    """Count one attempt; how many this client has made in the current window."""
    key = f"rate:{scope}:{keyed_hash(client)}"
    try:
        return _count(cache, key, window)
    except CacheUnavailable:
        return _count(_local, key, window)


def _count(store, key: str, window: int) -> int:
    store.add(key, 0, window)
    try:
        return store.incr(key)
    except ValueError:  # the counter expired between add and incr
        store.set(key, 1, window)
        return 1
