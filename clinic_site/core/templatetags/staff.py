"""Staff-screen formatting for templates (see core/staff_display.py)."""

from django import template

from clinic_site.core import staff_display

register = template.Library()


@register.filter
def staff_datetime(value) -> str:
    return staff_display.staff_datetime(value)
