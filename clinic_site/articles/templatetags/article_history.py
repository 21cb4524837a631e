"""The history list's "What happened" column, without models importing history.py."""

from django import template

from clinic_site.articles import history

register = template.Library()


@register.filter
def what_happened(record) -> str:
    return history.summary(record)
