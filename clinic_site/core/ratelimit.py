"""Cache-backed rate limits, keyed on a hash of the client address (never the raw IP).

With REDIS_URL set the counters are shared by every worker and host. The client
address comes from ``clinic_site.core.net.client_ip``.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def hit(scope: str, client: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True while this client is within `limit` per `window` seconds."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client}".encode()).hexdigest()[:32]
    key = f"rate:{scope}:{digest}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # the counter expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit
