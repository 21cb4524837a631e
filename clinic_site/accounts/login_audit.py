"""One log line for every staff login attempt, successful or not.

A line says what happened (``login.succeeded``, ``login.failed``, ``login.locked_out``),
which account it was, and a keyed hash of the client's address, so a reader can see one
source trying many times without the logs holding anyone's IP address. The password and
the code are never passed here. A "username" that matches no account is not written
either: people type passwords into the username box.
"""

import logging

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed

from clinic_site.core.net import client_hash

logger = logging.getLogger("clinic_site.accounts.login")


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="login_audit.succeeded")
    user_login_failed.connect(_login_failed, dispatch_uid="login_audit.failed")
    user_locked_out.connect(_locked_out, dispatch_uid="login_audit.locked_out")


def client_fingerprint(request) -> str | None:
    if request is None:
        return None
    return client_hash(request, length=12)


def _known_username(username) -> str | None:
    if not isinstance(username, str) or not username:
        return None
    field = get_user_model().USERNAME_FIELD
    if get_user_model().objects.filter(**{field: username}).exists():
        return username
    return None


def _logged_in(sender, request, user, **kwargs):
    logger.info(
        "staff login succeeded",
        extra={
            "event": "login.succeeded",
            "outcome": "success",
            "username": user.get_username(),
            "user_id": user.pk,
            "client": client_fingerprint(request),
        },
    )


def _login_failed(sender, credentials, request=None, **kwargs):
    username = _known_username((credentials or {}).get(get_user_model().USERNAME_FIELD))
    logger.warning(
        "staff login failed",
        extra={
            "event": "login.failed",
            "outcome": "failure",
            "username": username if username else "(no such account)",
            "client": client_fingerprint(request),
        },
    )


def _locked_out(sender, request=None, username=None, **kwargs):
    logger.warning(
        "staff login locked out after repeated failures",
        extra={
            "event": "login.locked_out",
            "outcome": "locked_out",
            "username": _known_username(username) or "(no such account)",
            "client": client_fingerprint(request),
        },
    )
