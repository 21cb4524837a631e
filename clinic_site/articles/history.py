"""Article history for people: field names in words, and word-by-word differences.

The diff is text, with every insertion and deletion marked in words ("[added: …]",
"[removed: …]") as well as by the page's styling, so it reads the same in any colour
scheme, to a screen reader, and when copied into an email.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils import timezone

from .models import Article

# Fields a reader of the history cares about, in the order they are listed.
SHOWN_FIELDS = (
    "title",
    "slug",
    "summary",
    "key_facts",
    "topic",
    "order",
    "body",
    "status",
    "published_at",
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
