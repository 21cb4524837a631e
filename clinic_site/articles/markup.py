"""Markdown to safe HTML: the one function every rendering path goes through.

Public pages (at save time), the editor's live preview and the import all call
``render_markdown``. Python-Markdown passes raw HTML through, so its output is only
trusted after ``nh3.clean`` with an explicit allowlist (as python.org does).
"""

import html as html_lib
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.extensions.toc import TocExtension

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
    "pre", "q", "s", "small", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
# No h1: the page title is the only h1. No style, class or event attributes anywhere.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
# Relative URLs pass through; absolute ones only with these schemes (no javascript:, data:).
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Set on every link: harmless on our own, and it keeps other sites from reaching back.
LINK_REL = "noopener noreferrer"

EXTENSIONS = ["extra", "sane_lists", "smarty"]


@dataclass
class Rendered:
    html: str
    # Second-level headings, for the table of contents: [{"id": ..., "title": ...}]
    headings: list[dict] = field(default_factory=list)


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render(text: str) -> Rendered:
    """Render Markdown to sanitised HTML and collect its h2 headings."""
    md = markdown.Markdown(
        extensions=[*EXTENSIONS, TocExtension(toc_depth="2-3", permalink=False)],
        output_format="html",
    )
    html = sanitize_html(md.convert(text or ""))
    headings = [
        # toc names come HTML-escaped; templates escape again on output.
        {"id": token["id"], "title": html_lib.unescape(token["name"])}
        for token in _flatten(md.toc_tokens)
        if token["level"] == 2
    ]
    return Rendered(html=html, headings=headings)


def render_markdown(text: str) -> str:
    """The django-markdownx preview function (``MARKDOWNX_MARKDOWNIFY_FUNCTION``)."""
    return render(text).html


def _flatten(tokens):
    for token in tokens:
        yield token
        yield from _flatten(token.get("children", []))
