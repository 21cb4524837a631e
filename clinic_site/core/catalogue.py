"""The Spanish catalogue (locale/es/LC_MESSAGES/django.po and its compiled .mo).

Both files are committed, so running the site needs no gettext tools and no Babel.
``make translations`` (``manage.py update_translations``) finds every string marked for
translation in the patient-facing templates and the Python code, adds new ones to the
.po with an empty translation, drops ones no longer used, and compiles the .mo with
Babel (a development dependency). The tests check that every string has a reviewed
Spanish translation and that the committed .mo is the compiled .po.

Finding strings: Django's own ``templatize`` turns a template into Python-like gettext
calls (what ``makemessages`` does before calling xgettext), and Babel's Python
extractor reads those and the .py files.
"""

import io
from pathlib import Path

from django.conf import settings
from django.utils.translation.template import templatize

LOCALE_DIR = settings.BASE_DIR / "locale"
PO_PATH = LOCALE_DIR / "es" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
# Staff screens stay English (issue 16): their templates are not translated.
STAFF_TEMPLATE_FOLDERS = ("admin", "accounts")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "_now": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}


def patient_templates() -> list[Path]:
    root = settings.BASE_DIR / "templates"
    return sorted(
        path
        for path in root.rglob("*.html")
        if path.relative_to(root).parts[0] not in STAFF_TEMPLATE_FOLDERS
    )


def python_files() -> list[Path]:
    return sorted((settings.BASE_DIR / "clinic_site").rglob("*.py"))


def extract():
    """A Babel catalogue of every string marked for translation, with where it is."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract as babel_extract

    catalog = Catalog(project="clinic-site", charset="utf-8")
    sources = [(path, _template_as_python(path)) for path in patient_templates()]
    sources += [(path, path.read_text(encoding="utf-8")) for path in python_files()]
    for path, text in sources:
        where = str(path.relative_to(settings.BASE_DIR))
        found = babel_extract("python", io.BytesIO(text.encode()), keywords=KEYWORDS)
        for lineno, message, _comments, context in found:
            catalog.add(message, locations=[(where, lineno)], context=context)
    return catalog


def _template_as_python(path: Path) -> str:
    # templatize keeps the template's lines (so line numbers hold) and indentation,
    # which Python's tokenizer would reject: each line is read on its own.
    text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    return "\n".join(line.strip() for line in text.splitlines())


def read_catalogue():
    from babel.messages.pofile import read_po

    with PO_PATH.open("rb") as handle:
        return read_po(handle, locale="es")


def compiled(catalog) -> bytes:
    from babel.messages.mofile import write_mo

    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def update() -> tuple[int, int]:
    """Merge the strings found into the .po and compile the .mo; (strings, untranslated)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    found = extract()
    catalog = read_catalogue() if PO_PATH.exists() else Catalog(locale="es", charset="utf-8")
    catalog.update(found, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    PO_PATH.parent.mkdir(parents=True, exist_ok=True)
    with PO_PATH.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False, omit_header=False)
    MO_PATH.write_bytes(compiled(read_catalogue()))
    messages = [message for message in catalog if message.id]
    untranslated = [m for m in messages if not _translated(m)]
    return len(messages), len(untranslated)


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return not message.fuzzy and all(strings)
