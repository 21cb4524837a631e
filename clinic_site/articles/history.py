"""Article history for people: field names in words, and word-by-word differences.

This module builds on models.py and never the other way round: templates reach
``summary`` through the ``article_history`` template tags.

The diff is text, with every insertion and deletion marked in words ("[added: …]",
"[removed: …]") as well as by the page's styling, so it reads the same in any colour
scheme, to a screen reader, and when copied into an email.
"""

import html as html_lib
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils import timezone

from . import markup, sources
from .choices import PUBLISHING_FIELDS, WRITTEN_FIELDS
from .drafts import edit_token
from .models import Article
from .provenance import SOURCE_FIELDS
from .signoff import SIGNED_FIELDS, signed_print, signed_values

# Fields a reader of the history cares about, in the order they are listed.
SHOWN_FIELDS = (
    *WRITTEN_FIELDS,
    *PUBLISHING_FIELDS,
    "reviewed_by",
    "last_reviewed",
    "next_review_due",
)
FIELD_NAMES = {"body": "text", "slug": "page address", "order": "position in topic"}

_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    kind: str  # "same", "added" or "removed"
    text: str


def field_label(name: str) -> str:
    if name in FIELD_NAMES:
        return FIELD_NAMES[name].capitalize()
    return str(Article._meta.get_field(name).verbose_name).capitalize()


def word_diff(old: str, new: str) -> list[Piece]:
    """The change from ``old`` to ``new`` as pieces of words and the spaces between."""
    before, after = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    pieces: list[Piece] = []
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(before[a1:a2])))
            continue
        if tag in ("delete", "replace"):
            pieces.append(Piece("removed", "".join(before[a1:a2])))
        if tag in ("insert", "replace"):
            pieces.append(Piece("added", "".join(after[b1:b2])))
    return [piece for piece in pieces if piece.text]


def as_text(pieces: list[Piece]) -> str:
    """The diff as plain text: '[removed: …]' and '[added: …]' around each change."""
    marks = {"same": "{}", "added": "[added: {}]", "removed": "[removed: {}]"}
    return "".join(marks[piece.kind].format(piece.text) for piece in pieces)


def display_value(record, name: str) -> str:
    value = getattr(record, name)
    if value is None or value == "":
        return "(empty)"
    if name == "published_at":
        return f"{timezone.localtime(value):%-d %B %Y, %H:%M %Z}"
    field = Article._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def changed_fields(old, new) -> list[str]:
    """Names of the shown fields that differ between two versions (or instances)."""
    if old is None:
        return []
    return [name for name in SHOWN_FIELDS if getattr(old, name) != getattr(new, name)]


def changes(old, new) -> list[dict]:
    """[{'label': ..., 'pieces': [...]}] for each shown field that changed."""
    return [
        {
            "label": field_label(name),
            "pieces": word_diff(display_value(old, name), display_value(new, name)),
        }
        for name in changed_fields(old, new)
    ]


def draft_changes(record) -> list[dict]:
    """What the draft saved with this version would change in the live text."""
    if not record.draft:
        return []
    draft = Article(**{name: getattr(record, name) for name in SHOWN_FIELDS})
    for name, value in record.draft.items():
        setattr(draft, name, value)
    return changes(record, draft)


def summary(record) -> str:
    """What happened in this version, in words."""
    if record.history_change_reason:
        return record.history_change_reason
    if record.history_type == "+":
        return "Created"
    if record.history_type == "-":
        return "Deleted"
    previous = record.prev_record
    names = [field_label(name).lower() for name in changed_fields(previous, record)]
    if previous is not None and record.draft != previous.draft:
        names.append("draft")
    return "Changed " + ", ".join(names) if names else "Saved without changes"


# --- What reviewers and editors compare: the words as readers see them ------------------

SIGNED_LABELS = {"title": "Title", "summary": "Summary", "body": "Text", "sources": "Sources"}


def readable(name: str, value) -> str:
    """A signed field as readers read it: the body rendered (no Markdown), the sources
    as lines of words (no JSON)."""
    if name == "body":
        return readable_html(markup.render(value or "").html)
    if name == "sources":
        return "\n".join(
            ", ".join(str(source.get(key)) for key in sources.KEYS if source.get(key))
            for source in value or []
        )
    return "" if value is None else str(value)


_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|pre|tr|table|ul|ol)>|<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]+>")


def readable_html(html: str) -> str:
    """Sanitised HTML as the words a reader reads, one paragraph, heading or list item
    per line, so a diff keeps the page's shape."""
    text = html_lib.unescape(_TAG.sub("", _BLOCK_END.sub("\n", html)))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def condensed(pieces: list[Piece], context: int = 30) -> list[Piece]:
    """Long unchanged stretches shortened to the words around each change, with "…"
    in place of the rest: a reviewer reads what changed, not the whole page again."""
    result = []
    for index, piece in enumerate(pieces):
        tokens = _TOKEN.findall(piece.text)
        if piece.kind != "same" or len(tokens) <= 4 * context:
            result.append(piece)
            continue
        head = "".join(tokens[: 2 * context]) if index > 0 else ""
        tail = "".join(tokens[-2 * context :]) if index < len(pieces) - 1 else ""
        if head and tail:
            text = f"{head.rstrip()} … {tail.lstrip()}"
        else:
            text = f"{head.rstrip()} …" if head else f"… {tail.lstrip()}"
        result.append(Piece("same", text))
    return result


def rendered_changes(old: dict | None, new: dict) -> list[dict]:
    """Word-level changes between two sets of signed values, field by field, as
    rendered text; with no ``old``, every field counts as added."""
    found = []
    for name, value in new.items():
        before = readable(name, (old or {}).get(name))
        after = readable(name, value)
        if before != after:
            found.append(
                {
                    "label": SIGNED_LABELS.get(name, field_label(name)),
                    "pieces": condensed(word_diff(before, after)),
                }
            )
    return found


def edited_values(record) -> dict:
    """Everything an editor saves, as it would be published (live with its draft)."""
    values = {name: getattr(record, name) for name in {*SOURCE_FIELDS, *SIGNED_FIELDS}}
    values.update(record.draft or {})
    return values


def changes_since_token(article: Article, token: str) -> list[dict]:
    """What others saved since the version an editor opened (known by its edit token),
    in rendered words; everything, if that version is no longer in the history."""
    seen = None
    for record in article.history.order_by("-history_date", "-history_id")[:200]:
        if edit_token(record) == token:
            seen = record
            break
    old = edited_values(seen) if seen is not None else None
    new = edited_values(article)
    return rendered_changes(
        {name: old[name] for name in SIGNED_FIELDS} if old else None,
        {name: new[name] for name in SIGNED_FIELDS},
    )


def english_changes_since_translation(translation: Article) -> list[dict]:
    """The original's changes since the words this translation was made from, in
    rendered words (empty when up to date, or when that version is no longer in the
    original's history)."""
    original = translation.translation_of
    if original is None or not translation.is_translation_out_of_date:
        return []
    for record in original.history.order_by("-history_date", "-history_id"):
        if signed_print(record) == translation.translated_from_print:
            return rendered_changes(signed_values(record), original.signed_values())
    return []
