"""Crisis help in the banner and in articles: always there, worded from settings."""

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db

CRISIS_SENTENCE = (
    "Ketamine is not an emergency treatment: if you are in crisis, call or text 988, "
    "or 911 in an emergency."
)


def banner(html: str) -> str:
    return html[html.index('<aside class="urgent-help"') : html.index("</aside>")]


def test_banner_offers_texting_the_crisis_line(client):
    html = client.get("/").content.decode()

    assert '<a href="sms:988">Text 988</a>' in banner(html)
    assert '<a href="tel:988">Call 988</a>' in banner(html)


def test_banner_texting_number_comes_from_settings(client, settings):
    settings.URGENT_HELP_TEXT_NUMBER = "741741"

    assert '<a href="sms:741741">Text 741741</a>' in banner(client.get("/").content.decode())


def test_banner_has_no_text_link_where_the_crisis_line_takes_no_texts(client, settings):
    settings.URGENT_HELP_TEXT_NUMBER = ""

    assert "sms:" not in banner(client.get("/").content.decode())


def test_the_default_crisis_note_is_the_agreed_sentence(settings):
    assert settings.CRISIS_NOTE_TEXT == CRISIS_SENTENCE


def test_an_article_marked_for_it_shows_the_crisis_note(client):
    article = make_article(crisis_note=True)

    html = client.get(article.get_absolute_url()).content.decode()

    assert CRISIS_SENTENCE in html
    assert 'class="notice crisis-note"' in html


def test_other_articles_do_not_show_the_crisis_note(client):
    html = client.get(make_article().get_absolute_url()).content.decode()

    assert CRISIS_SENTENCE not in html


def test_the_crisis_note_wording_comes_from_settings(client, settings):
    settings.CRISIS_NOTE_TEXT = "Ketamine is not an emergency treatment. In the UK, call 999."
    article = make_article(crisis_note=True)

    html = client.get(article.get_absolute_url()).content.decode()

    assert "In the UK, call 999." in html
    assert CRISIS_SENTENCE not in html


def test_the_spanish_text_link_already_holds_the_word_to_send(client):
    html = client.get("/es/").content.decode()

    # The label says what to type, and phones that read the body fill it in.
    assert '<a href="sms:988?body=AYUDA">Envíe AYUDA por texto al 988</a>' in banner(html)
