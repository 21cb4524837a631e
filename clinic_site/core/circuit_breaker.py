"""Redis, behind a circuit breaker: when Redis is down or frozen, pages do not wait for it.

settings.redis_cache() configures this backend. Socket timeouts are short (a healthy
Redis answers in about a millisecond), and the first call that fails or times out opens
the circuit in this process for OPEN_SECONDS: until then no call goes to Redis at all,
so a stopped Redis costs one short timeout per process per period, not seconds per
request. After the period one call tries again (and closes the circuit if it works).

While the circuit is open:
- reads are misses (get, get_many, has_key) and writes do nothing (set, delete, ...):
  the page cache is bypassed, and the sessions (cached_db) are read from and written to
  the database, so staff stay logged in;
- counters (add, incr, decr) raise CacheUnavailable, because a miss would change their
  meaning: core.ratelimit then counts in this process instead.
"""

import logging
import time

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .logging import failure

logger = logging.getLogger(__name__)

# How long the circuit stays open after a failure before one call may try Redis again.
OPEN_SECONDS = 10.0
# A healthy Redis on the local network answers in well under a millisecond.
SOCKET_TIMEOUT_SECONDS = 0.25
FAILURES = (RedisConnectionError, RedisTimeoutError, ConnectionInterrupted, OSError)


class CacheUnavailable(Exception):
    """The shared cache cannot be used right now; fall back (see module docstring)."""


class CircuitBreakerRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._open_until = 0.0

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._open_until

    def _call(self, method, *args, fallback, **kwargs):
        if not self.available:
            return fallback()
        try:
            return method(*args, **kwargs)
        except FAILURES as error:
            self._open_until = time.monotonic() + OPEN_SECONDS
            # The type only: the message names the Redis host and port.
            logger.warning(
                "redis unavailable; served without it",
                extra=failure(
                    error, event="cache.circuit_open", outcome=f"open for {OPEN_SECONDS:g} s"
                ),
            )
            return fallback()

    # Reads: a miss.
    def get(self, key, default=None, version=None, client=None):
        return self._call(super().get, key, default, version, client, fallback=lambda: default)

    def get_many(self, *args, **kwargs):
        return self._call(super().get_many, *args, fallback=dict, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call(super().has_key, *args, fallback=lambda: False, **kwargs)

    # Writes: nothing happens (the database or the next request does without).
    def set(self, *args, **kwargs):
        return self._call(super().set, *args, fallback=lambda: False, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call(super().set_many, *args, fallback=list, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call(super().delete, *args, fallback=lambda: False, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call(super().delete_many, *args, fallback=lambda: 0, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call(super().touch, *args, fallback=lambda: False, **kwargs)

    def clear(self):
        return self._call(super().clear, fallback=lambda: False)

    # Counters: the caller must know, so it can count elsewhere.
    def add(self, *args, **kwargs):
        return self._call(super().add, *args, fallback=_unavailable, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call(super().incr, *args, fallback=_unavailable, **kwargs)

    def decr(self, *args, **kwargs):
        return self._call(super().decr, *args, fallback=_unavailable, **kwargs)


def _unavailable():
    raise CacheUnavailable
