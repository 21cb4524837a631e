"""The client's address, as seen through the deployment's reverse proxies.

Behind the documented TLS-terminating proxy every request comes from the proxy's own
address, so ``REMOTE_ADDR`` alone would put all visitors in one bucket: one attacker
could lock every staff member out, and one busy client would use up everybody's
contact-form allowance. Each trusted proxy appends the address it received the request
from to ``X-Forwarded-For``; with ``PROXY_COUNT`` proxies in front of the app, the
client is therefore the ``PROXY_COUNT``-th entry from the right. Entries further left
were written by the client and are never trusted.
"""

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    proxies = settings.PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        # Not the path the deployment documents (a direct hit on the app, or a proxy
        # that does not append): the only address nobody can forge is the socket's.
        return remote
    return forwarded[-proxies]


def keyed_hash(value: str, *, length: int = 32) -> str:
    """A hash of ``value`` keyed with SECRET_KEY: the same value always gives the same
    hash on every host, and nobody without the key can tell what was hashed.

    The one way the site stores or logs anything derived from a client's address or an
    unknown username (rate-limit keys, login audit lines, lockout records).
    """
    digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256)
    return digest.hexdigest()[:length]


def client_hash(request: HttpRequest, *, length: int = 32) -> str:
    """The keyed hash of the client's address (see client_ip)."""
    return keyed_hash(client_ip(request), length=length)
