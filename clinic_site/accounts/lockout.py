"""What django-axes keeps about failed logins: only what the lockout needs.

The lockout is keyed on the username and the client's address together
(settings.AXES_LOCKOUT_PARAMETERS), so those stay, with two changes:

* a "username" that matches no account is stored as a keyed hash: people type
  passwords into the username box, and the hash still counts repeated tries;
* the user agent and the submitted form fields (which include whatever was typed as
  the username) are not kept at all.

Records older than AXES_RECORD_DAYS are deleted daily by the task worker
(``purge_old_records``, registered in AccountsConfig.ready).
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from clinic_site.core.net import keyed_hash


def lockout_username(request, credentials) -> str:
    """AXES_USERNAME_CALLABLE: the username if it names an account, else its hash."""
    field = get_user_model().USERNAME_FIELD
    typed = (credentials or {}).get(field)
    if typed is None and request is not None:
        typed = request.POST.get(field)
    if not isinstance(typed, str) or not typed:
        return ""
    if get_user_model().objects.filter(**{field: typed}).exists():
        return typed
    return "unknown-" + keyed_hash(typed, length=16)


class MinimalRecordsHandler(AxesDatabaseHandler):
    """django-axes' database handler, keeping no user agent and no form fields."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is not None:
            request.axes_user_agent = ""
        super().user_login_failed(sender, credentials, request, **kwargs)
        AccessAttempt.objects.exclude(get_data="", post_data="").update(get_data="", post_data="")


def purge_old_records() -> None:
    cutoff = timezone.now() - timedelta(days=settings.AXES_RECORD_DAYS)
    AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    AccessLog.objects.filter(attempt_time__lt=cutoff).delete()
    AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
