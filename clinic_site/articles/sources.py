"""An article's sources: the documents its statements rest on.

Stored as a list of ``{"title", "publisher", "year", "url"}`` on ``Article.sources``,
written in the content files' front matter and edited in the admin as one source per
line (``Title | Publisher | Year | https://...``), which non-technical editors can read
and fix without knowing JSON. One validator serves the model, the admin and the import,
and its messages name the source that is wrong.
"""

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

KEYS = ("title", "publisher", "year", "url")
SEPARATOR = "|"
_URL = URLValidator(schemes=["http", "https"])


def problems(sources) -> list[str]:
    """Everything wrong with a list of sources, each naming the source it is about."""
    if not isinstance(sources, list):
        return ["sources must be a list"]
    found = []
    for number, source in enumerate(sources, start=1):
        if not isinstance(source, dict):
            found.append(f"source {number} must have a title, publisher, year and url")
            continue
        title = source.get("title")
        name = f"source {number} ({title!r})" if _text(title) else f"source {number}"
        unknown = sorted(set(source) - set(KEYS))
        if unknown:
            found.append(f"{name} has unknown keys: {', '.join(map(str, unknown))}")
        if not _text(title):
            found.append(f"{name} has no title")
        for key in ("publisher", "year"):
            if source.get(key) not in (None, "") and not _text(source.get(key)):
                found.append(f"{name}: {key} must be text or a number")
        year = source.get("year")
        if year not in (None, "") and not _is_year(year):
            found.append(f"{name}: year must be a year like 2023")
        if not _is_web_address(source.get("url")):
            found.append(f"{name} needs a web address starting with http:// or https://")
    return found


def validate_sources(sources) -> None:
    found = problems(sources)
    if found:
        raise ValidationError(found)


def normalise(sources: list[dict]) -> list[dict]:
    """Valid sources in one shape: every key present, text stripped, the year an int."""
    result = []
    for source in sources:
        year = source.get("year")
        result.append(
            {
                "title": str(source.get("title", "")).strip(),
                "publisher": str(source.get("publisher") or "").strip(),
                "year": int(year) if year not in (None, "") else None,
                "url": str(source.get("url", "")).strip(),
            }
        )
    return result


def _text(value) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and bool(value.strip()))


def _is_year(value) -> bool:
    try:
        return not isinstance(value, bool) and 1800 <= int(str(value).strip()) <= 2100
    except ValueError:
        return False


def _is_web_address(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        _URL(value.strip())
    except ValidationError:
        return False
    return urlsplit(value.strip()).scheme in ("http", "https")


class SourceLinesField(forms.CharField):
    """The admin's editor for sources: one source per line, parts split by '|'."""

    widget = forms.Textarea(attrs={"rows": 5, "cols": 100})

    def __init__(self, *, encoder=None, decoder=None, **kwargs):
        # JSONField.formfield passes these; lines need neither.
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str):
            return value  # what the editor typed, shown again with its error
        return "\n".join(
            f" {SEPARATOR} ".join(
                "" if source.get(key) is None else str(source.get(key)) for key in KEYS
            )
            for source in value or []
            if isinstance(source, dict)
        )

    def to_python(self, value):
        if not isinstance(value, str):
            return value or []
        sources, found = [], []
        lines = [line.strip() for line in value.splitlines() if line.strip()]
        for number, line in enumerate(lines, start=1):
            parts = [part.strip() for part in line.split(SEPARATOR)]
            if len(parts) != len(KEYS):
                found.append(
                    f"Line {number} needs four parts, split by '{SEPARATOR}': "
                    "Title | Publisher | Year | https://..."
                )
                continue
            sources.append(dict(zip(KEYS, parts, strict=True)))
        found.extend(problems(sources))
        if found:
            raise ValidationError(found)
        return normalise(sources)

    def has_changed(self, initial, data):
        try:
            return normalise(initial or []) != self.to_python(data)
        except ValidationError:
            return True


class SourcesField(models.JSONField):
    """A JSON list of sources, validated, and edited in the admin as lines of text."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("validators", [validate_sources])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        # The validator is part of the field itself, not a migration detail.
        kwargs.pop("validators", None)
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SourceLinesField, **kwargs})
