"""Staff-screen formatting for templates (see core/staff_display.py)."""

from django import template
from django.utils import timezone

from clinic_site.core import staff_display

register = template.Library()


@register.filter
def staff_datetime(value) -> str:
    return staff_display.staff_datetime(value)


@register.filter
def staff_datetime_zone(value) -> str:
    """The staff format with the zone's name: "07 Nov 2027, 01:30 EST". Django's own "T"
    writes nothing in the hour that happens twice, which is when it matters."""
    if value is None:
        return "-"
    return f"{staff_display.staff_datetime(value)} {timezone.localtime(value).tzname()}"
