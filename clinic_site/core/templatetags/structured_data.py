"""``{% json_ld data %}``: a dict as a JSON-LD script block.

The JSON is escaped for HTML (``<``, ``>`` and ``&`` become ``\\u003c`` and friends, as
``json_script`` does), so no text in an article can close the script element. A data
block is not executed, so the strict Content-Security-Policy allows it.
"""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_HTML_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def to_json_ld(data) -> str:
    """Compact JSON with the characters that matter to an HTML parser escaped."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_HTML_ESCAPES)


@register.simple_tag
def json_ld(data):
    if not data:
        return ""
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(to_json_ld(data)),  # noqa: S308 - every <, > and & is escaped above
    )
