"""Facts about contact requests that pages outside this app state (the privacy notice)."""

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.translation import ngettext

from clinic_site.intake import consent

register = template.Library()


@register.simple_tag
def contact_retention_days() -> int:
    return settings.CONTACT_RETENTION_DAYS


@register.simple_tag
def consent_version() -> str:
    return consent.version_for(translation.get_language())


@register.simple_tag
def contact_rate_window() -> str:
    """How long a client's submission count is kept, in words ("1 hour", "30 minutes")."""
    minutes = max(1, round(settings.CONTACT_RATE_WINDOW_SECONDS / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
