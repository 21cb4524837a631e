"""gunicorn settings for `make serve`: the app behind the TLS-terminating proxy.

Every value can be changed from the environment (README.md, "Configuration"). Logs are JSON
lines on stdout through the site's own formatter; the access log records the method,
the path *without its query string*, the status, the size and the time taken, and
nothing about the client (no address, no user agent, no referrer).
"""

import multiprocessing
import os

from gunicorn.http import wsgi as gunicorn_wsgi

from clinic_site.core.logging import stdout_json_config


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "clinic_site.wsgi:application"
proc_name = "clinic-site"

# Only the proxy on this host talks to the app: it is the one place TLS ends, and the
# only sender whose X-Forwarded-* headers are believed (TRUST_X_FORWARDED_PROTO).
bind = f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{_int('PORT', 8000)}"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Synchronous workers (the proxy buffers slow clients): one per core plus one spare, so
# a single slow request never halves capacity. The work is CPU-bound; `make bench`
# measured more workers costing CPU per request (docs/performance.md). Capped so a
# large machine does not open more database connections than PostgreSQL allows.
workers = _int("WEB_CONCURRENCY", min(multiprocessing.cpu_count() + 1, 12))
timeout = _int("GUNICORN_TIMEOUT", 30)  # a worker silent this long is restarted
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)  # time to finish on reload/stop
keepalive = 5
# Load Django once in the master: workers fork with it ready (restarts are cheap and
# memory is shared). Recycle workers now and then, so a slow leak never grows into an
# outage, but rarely: each restart costs CPU that shows up as p99 latency.
preload_app = True
max_requests = _int("GUNICORN_MAX_REQUESTS", 50000)
max_requests_jitter = max_requests // 10
# The heartbeat file on tmpfs: a slow disk then never looks like a hung worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Requests larger than these are refused before Django sees them.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Where the master writes its process id, for `make reload` (scripts/reload.sh). Each
# instance on a host needs its own; `make serve` names one after the port.
pidfile = os.environ.get("GUNICORN_PIDFILE") or None

# gunicorn's runtime control socket: off, so several instances on one host (or a
# benchmark next to the site) never fight over the shared default path.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
# %(U)s is the path alone: query strings never reach the log.
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms"
logconfig_dict = stdout_json_config(
    loggers={
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    }
)


# A response's headers and the first piece of its body (for Django's pages, the whole
# page) leave in one write. gunicorn writes them separately, and a worker killed
# between the two (a host going down, the OOM killer) leaves the proxy holding
# headers it has already passed on: the reader gets a cut-off page, and nginx can no
# longer try the next host. In one write, nginx has the whole response or none of it,
# and then retries (deploy/nginx/clinic.conf; tests/core/test_nginx.py kills a host
# under load). Files sent with sendfile are not affected.
class _Collected:
    """Stands in for the socket during the first write: keeps the bytes."""

    def __init__(self):
        self.data = b""

    def sendall(self, data):
        self.data += data


def _write_headers_with_the_body(self, data, _write=gunicorn_wsgi.Response.write):
    if self.headers_sent:
        return _write(self, data)
    sock, self.sock = self.sock, _Collected()
    try:
        _write(self, data)
    finally:
        collected, self.sock = self.sock.data, sock
    if collected:
        sock.sendall(collected)


gunicorn_wsgi.Response.write = _write_headers_with_the_body
