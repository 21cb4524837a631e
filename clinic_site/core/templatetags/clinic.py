"""Template tags for the clinic's details: one way to write a phone link."""

from urllib.parse import quote, urlencode

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def tel(number: str, label: str = "") -> str:
    """A link that dials ``number`` on a phone: <a href="tel:(555)010-0123">label</a>.

    The label defaults to the number as written; the address drops the spaces, which a
    tel: address may not hold (brackets and dashes are allowed separators).
    """
    return format_html('<a href="tel:{}">{}</a>', _dialable(number), label or number)


@register.simple_tag
def sms(number: str, label: str = "", body: str = "") -> str:
    """A link that opens a text message to ``number``, with ``body`` already typed.

    ``sms:988?body=AYUDA`` (RFC 5724) fills in the message on Android and iOS; where a
    phone ignores it the label still says what to type, so nobody depends on it.
    """
    address = _dialable(number)
    if body:
        address = f"{address}?{urlencode({'body': body}, quote_via=quote)}"
    return format_html('<a href="sms:{}">{}</a>', address, label or number)


def _dialable(number) -> str:
    return str(number).replace(" ", "")
