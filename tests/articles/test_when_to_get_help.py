"""'When to get help' on the pages about the treatment, and sources marked "(en inglés)"."""

import pytest

from clinic_site.articles.models import Topic
from clinic_site.core.languages import Language
from tests.factories import make_article
from tests.helpers import assert_says

pytestmark = pytest.mark.django_db


def box(html: str) -> str:
    start = html.index('<section class="notice when-to-get-help"')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize("topic", [Topic.TREATMENT, Topic.SAFETY, Topic.VISIT])
def test_pages_about_the_treatment_show_the_warning_signs(client, topic):
    html = client.get(make_article(topic=topic).get_absolute_url()).content.decode()

    assert_says(
        box(html),
        '<h2 id="when-to-get-help-title">When to get help</h2>',
        "Call 911 now if you have chest pain, a sudden severe headache",
        "yellow skin or eyes, dark urine, pain or blood when passing urine",
        '<a href="tel:911">Emergency: call 911</a>',
        '<a href="tel:(555)010-0123">Call the clinic: (555) 010-0123</a>',
    )


def test_the_faq_has_no_warning_signs_box(client):
    html = client.get(make_article(topic=Topic.QUESTIONS).get_absolute_url()).content.decode()

    assert "when-to-get-help" not in html


def test_the_wording_comes_from_settings(client, settings):
    settings.WHEN_TO_GET_HELP_EMERGENCY = "Call 999 if you have chest pain."
    settings.WHEN_TO_GET_HELP_CLINIC = "Ring the clinic about dark urine."

    shown = box(client.get(make_article().get_absolute_url()).content.decode())

    assert "Call 999 if you have chest pain." in shown
    assert "Ring the clinic about dark urine." in shown
    assert "sudden severe headache" not in shown


def test_the_spanish_page_shows_the_same_box_in_spanish(client):
    original = make_article()
    spanish = make_article(language=Language.SPANISH, translation_of=original)

    shown = box(client.get(spanish.get_absolute_url()).content.decode())

    assert '<h2 id="when-to-get-help-title">Cuándo pedir ayuda</h2>' in shown
    assert "Llame al 911 ahora si tiene dolor en el pecho" in shown
    assert "la piel o los ojos amarillos, la orina oscura, dolor o sangre al orinar" in shown
    assert "Llame a la clínica: (555) 010-0123" in shown


SOURCE = {"title": "A label", "publisher": "FDA", "year": 2024, "url": "https://example.gov/a"}
SPANISH_SOURCE = {
    "title": "Una página",
    "publisher": "MedlinePlus",
    "year": 2024,
    "url": "https://medlineplus.gov/spanish/x.html",
}


def test_a_spanish_page_marks_the_english_documents_it_cites(client):
    original = make_article(sources=[SOURCE])
    spanish = make_article(
        language=Language.SPANISH, translation_of=original, sources=[SOURCE, SPANISH_SOURCE]
    )

    html = client.get(spanish.get_absolute_url()).content.decode()

    assert '<a href="https://example.gov/a">A label</a> (en inglés).' in html
    assert '<a href="https://medlineplus.gov/spanish/x.html">Una página</a>.' in html


def test_an_english_page_does_not_mark_its_sources(client):
    html = client.get(make_article(sources=[SOURCE]).get_absolute_url()).content.decode()

    assert '<a href="https://example.gov/a">A label</a>. FDA, 2024.' in html


# --- The clinic's own prices: only from settings, only on the cost page ----------------


def test_the_cost_page_shows_no_prices_when_the_clinic_has_set_none(client, settings):
    settings.CLINIC_FEES = ""
    article = make_article(slug=settings.CLINIC_FEES_PAGE, topic=Topic.QUESTIONS)

    html = client.get(article.get_absolute_url()).content.decode()

    assert "clinic-fees" not in html
    assert "$" not in html


def test_the_cost_page_and_its_translation_show_the_clinics_own_prices(client, settings):
    settings.CLINIC_FEES = "One infusion: $450."
    settings.CLINIC_FEES_ES = "Una infusión: $450."
    original = make_article(slug=settings.CLINIC_FEES_PAGE, topic=Topic.QUESTIONS)
    spanish = make_article(
        language=Language.SPANISH, translation_of=original, topic=Topic.QUESTIONS
    )

    english_html = client.get(original.get_absolute_url()).content.decode()
    spanish_html = client.get(spanish.get_absolute_url()).content.decode()

    assert "Prices at Example Infusion Clinic" in english_html
    assert "<p>One infusion: $450.</p>" in english_html
    assert "Precios en Example Infusion Clinic" in spanish_html
    assert "<p>Una infusión: $450.</p>" in spanish_html


def test_other_pages_never_show_the_prices(client, settings):
    settings.CLINIC_FEES = "One infusion: $450."

    html = client.get(make_article().get_absolute_url()).content.decode()

    assert "$450" not in html
