"""Markdown to safe HTML: the one function every rendering path goes through.

Public pages (at save time), the editor's live preview and the import all call
``render_markdown``. Python-Markdown passes raw HTML through, so its output is only
trusted after ``nh3.clean`` with an explicit allowlist (as python.org does).
"""

import functools
import html as html_lib
import re
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.extensions.toc import TocExtension

from . import images

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
    text: str = ""
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
    html, plain, headings = _render(text or "")
    return Rendered(html=html, text=plain, headings=[dict(heading) for heading in headings])


# The same Markdown always gives the same HTML, and the same texts come back again and
# again (every save of an article, each import of unchanged files, the editor's preview,
# the history pages), at ~10 ms each: the last 64 are kept (every shipped article and
# its translation fit), as immutable tuples that render copies out, a megabyte or two
# per process at most.
@functools.lru_cache(maxsize=64)
def _render(text: str) -> tuple[str, str, tuple[tuple[tuple[str, str], ...], ...]]:
    md = markdown.Markdown(
        extensions=[*EXTENSIONS, TocExtension(toc_depth="2-3", permalink=False)],
        output_format="html",
    )
    html = size_images(sanitize_html(md.convert(text)))
    headings = tuple(
        # toc names come HTML-escaped; templates escape again on output.
        (("id", token["id"]), ("title", html_lib.unescape(token["name"])))
        for token in _flatten(md.toc_tokens)
        if token["level"] == 2
    )
    plain = html_lib.unescape(nh3.clean(html, tags=set(), attributes={}))
    return html, " ".join(plain.split()), headings


# Our own uploads (see images.py) carry their size in their name. This runs after
# sanitising and touches only tags whose src matches that strict pattern exactly, so
# it cannot add anything unsafe.
_IMG_TAG = re.compile(r"<img\b[^>]*>")
_OWN_SRC = re.compile(rf'\ssrc="(?P<src>{images.STORED_URL})"')


def size_images(html: str) -> str:
    """Give every image lazy loading, and our uploads their size and a phone rendition."""

    def one(match: re.Match) -> str:
        tag = match.group(0)
        extra = ' loading="lazy" decoding="async"'
        own = _OWN_SRC.search(tag)
        if own:
            src, width = own["src"], int(own["width"])
            extra += f' width="{own["width"]}" height="{own["height"]}"'
            if width > images.PHONE_WIDTH:
                phone = images.PHONE_WIDTH
                extra += (
                    f' srcset="{images.rendition_name(src)} {phone}w, {src} {width}w"'
                    f' sizes="(max-width: {phone + 40}px) 100vw, {width}px"'
                )
        return tag[:4] + extra + tag[4:]

    return _IMG_TAG.sub(one, html)


_HEADING_OR_IMAGE = re.compile(r"<h[2-6][^>]*>(?P<heading>.*?)</h[2-6]>|<img\b[^>]*>", re.S)


def images_without_alt(text: str) -> list[str]:
    """Images in this Markdown with no description, named by their position for the
    editor: "image 2, after 'How an infusion is given'" (a file name means nothing)."""
    html = sanitize_html(markdown.Markdown(extensions=EXTENSIONS).convert(text or ""))
    missing = []
    heading = None
    number = 0
    for match in _HEADING_OR_IMAGE.finditer(html):
        if match.group("heading") is not None:
            heading = html_lib.unescape(nh3.clean(match.group("heading"), tags=set()))
            continue
        number += 1
        alt = re.search(r'\balt="([^"]*)"', match.group(0))
        if not alt or not alt.group(1).strip() or alt.group(1).startswith(images.PLACEHOLDER_ALT):
            where = f"after '{heading.strip()}'" if heading else "before the first heading"
            missing.append(f"image {number}, {where}")
    return missing


def render_markdown(text: str) -> str:
    """The django-markdownx preview function (``MARKDOWNX_MARKDOWNIFY_FUNCTION``)."""
    return render(text).html


def _flatten(tokens):
    for token in tokens:
        yield token
        yield from _flatten(token.get("children", []))
