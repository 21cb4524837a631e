"""The Spanish catalogue is complete and the committed .mo is the compiled .po.

Extraction and compilation use Babel (a development dependency); running the site needs
neither, only the committed files.
"""

import gettext
import io
import re

import pytest
from django.utils import translation

from clinic_site.core import catalogue


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return not message.fuzzy and all(strings)


def test_every_string_in_the_patient_templates_and_code_is_in_the_catalogue():
    found = {message.id for message in catalogue.extract() if message.id}
    in_po = {message.id for message in catalogue.read_catalogue() if message.id}

    missing = sorted(str(msgid) for msgid in found - in_po)
    assert not missing, f"not in django.po (run `make translations`): {missing}"
    assert len(found) > 100  # the extraction really read the templates


def test_every_string_has_a_spanish_translation_that_is_not_fuzzy():
    untranslated = [
        str(message.id)
        for message in catalogue.read_catalogue()
        if message.id and not _translated(message)
    ]
    assert not untranslated, f"translate these in django.po: {untranslated}"


def test_translations_keep_every_placeholder_of_the_english():
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
    for message in catalogue.read_catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else [message.id]
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        wanted = set(placeholder.findall(ids[-1]))
        for string in strings:
            assert set(placeholder.findall(string)) == wanted, message.id


def test_the_committed_mo_file_is_the_compiled_po_file():
    with catalogue.MO_PATH.open("rb") as handle:
        committed = gettext.GNUTranslations(handle)._catalog
    fresh = gettext.GNUTranslations(
        io.BytesIO(catalogue.compiled(catalogue.read_catalogue()))
    )._catalog
    assert committed == fresh, "django.mo is stale: run `make translations`"


def test_the_staff_templates_are_left_in_english():
    templates = catalogue.patient_templates()
    assert any(path.name == "contact_form.html" for path in templates)
    assert not [path for path in templates if "admin" in path.parts or "accounts" in path.parts]


@pytest.mark.parametrize(
    ("english", "spanish"),
    [("Skip to main content", "Ir al contenido principal"), ("Urgent help", "Ayuda urgente")],
)
def test_django_uses_the_committed_catalogue(english, spanish):
    with translation.override("es"):
        assert translation.gettext(english) == spanish
