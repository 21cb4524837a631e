"""One JSON object per log line, on stdout.

Only the message, level, logger and a short allowlist of extra keys are written, so
a stray ``extra={"message_text": ...}`` cannot leak a patient's words into the logs.
"""

import json
import logging
from datetime import UTC, datetime

# Keys that callers may attach with ``extra=``; everything else is dropped.
ALLOWED_EXTRA = {
    "event",
    "method",
    "path",
    "status",
    "duration_ms",
    "request_id",
    "task",
    "attempt",
    "contact_request_id",
    "user_id",
    "outcome",
    "error_type",
    # Staff login attempts: the account name (staff, not patients) and a keyed hash of
    # the client's address, enough to see one source hammering the login.
    "username",
    "client",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ALLOWED_EXTRA:
            if key in record.__dict__:
                line[key] = record.__dict__[key]
        if record.exc_info:
            # The exception type only: messages and tracebacks can quote form data.
            line["error_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(line, default=str)


def failure(error: BaseException, *, event: str, **extra) -> dict:
    """``extra=`` for a line about a failure: the error's type, never its message, which
    can quote hosts, users, addresses and query values."""
    return {"event": event, **extra, "error_type": type(error).__name__}


def stdout_json_config(*, level: str = "INFO", loggers: dict | None = None) -> dict:
    """The logging dictConfig used by Django (settings.LOGGING) and gunicorn alike."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "clinic_site.core.logging.JsonFormatter"}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": loggers or {},
    }
