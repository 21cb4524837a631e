"""The reviewed phrase list flags messages that suggest risk, and only those."""

import pytest

from clinic_site.intake.risk import RISK_PHRASES, RISK_PHRASES_ES, normalise, suggests_risk


@pytest.mark.parametrize(
    "message",
    [
        "Lately I have been feeling suicidal.",
        "I think about suicide most days",
        "Sometimes I want to kill myself",
        "I don't want to live like this any more",
        "I dont want to live anymore",
        "I don\u2019t want to be here anymore",  # curly apostrophe
        "Honestly everyone would be better off without me.",
        "I have been SELF-HARMING again",
        "history of self\u2011harm",  # non-breaking hyphen
        "I self harmed last week",
        "I keep hurting myself",
        "I've thought about taking an overdose",
        "I want to\nend my life",  # a line break inside the phrase
        "I just want to die.",
        "I'm thinking of ending it all",
        "no reason to live",
        "I'm not suicidal, but I worry",  # no negation handling, on purpose
    ],
)
def test_messages_suggesting_risk_are_flagged(message):
    assert suggests_risk(message)


@pytest.mark.parametrize(
    "message",
    [
        "",
        "I would like to know about the cost of infusions.",
        "My depression has not improved with two medications. Could ketamine help?",
        "Can ketamine cause an overdose? I worry about the dose.",
        "This chronic pain is killing me, it's been years.",
        "Please call me after 5pm, I work mornings.",
        "My PTSD started after the accident. I'd like to talk to someone.",
        "I'd like to know about side effects and what the first visit is like.",
        "Is the treatment painless and harmless?",
        "My brother-in-law recommended your clinic.",
        "I'm interested in the suicidepreventionweek talk",  # not a whole word
        "I am dying to know whether insurance covers it",
    ],
)
def test_ordinary_messages_are_not_flagged(message):
    assert not suggests_risk(message)


def test_every_phrase_in_the_list_flags_a_message_containing_it():
    # Guards against a typo or an entry that normalises to nothing.
    for phrase in RISK_PHRASES:
        assert normalise(phrase), phrase
        assert suggests_risk(f"Hello. {phrase.upper()}. Thanks"), phrase


def test_the_phrase_list_has_no_duplicates_once_normalised():
    normalised = [normalise(phrase) for phrase in RISK_PHRASES]
    assert len(normalised) == len(set(normalised))


# The reviewed table: every change to risk_phrases/en.txt or es.txt adds lines here.
# (message, language the person wrote in)
MUST_FLAG = [
    # From the red-team run: each of these was stored as not urgent.
    ("me voy a suicidar", "es"),
    ("Desearía estar muerto", "es"),
    ("desearia estar muerta", "es"),  # without the accent
    ("Tengo ganas de morir", "es"),
    ("tengo ganas de morirme ya", "es"),
    ("me corto cuando me siento así", "es"),
    ("Ya no aguanto más", "es"),
    ("ya no aguanto mas", "es"),
    ("I want to end it", "en"),
    ("kms", "en"),
    ("honestly i just wanna kms lol", "en"),
    # Variants: accents, spelling, abbreviations, euphemisms.
    ("VOY A SUICIDARME", "es"),
    ("me quiero matar", "es"),
    ("me voy a matar", "es"),
    ("ojala me muriera", "es"),
    ("prefiero estar muerta", "es"),
    ("no kiero vivir", "es"),
    ("me he cortado otra vez", "es"),
    ("pienso en cortarme las venas", "es"),
    ("me autolesiono", "es"),
    ("tengo pensamientos de suisidio", "es"),
    ("I'm going to end it tonight", "en"),
    ("im gonna end it", "en"),
    ("having sucidal thoughts", "en"),
    ("I've been thinking about how to unalive myself", "en"),
    ("I want to kill my self", "en"),
    ("I wish I was never born", "en"),
    ("life isnt worth living", "en"),
    ("I can\u2019t go on anymore", "en"),
    ("I'm tired of being alive", "en"),
    ("I've started self-injuring again", "en"),
    ("I want to slit my wrists", "en"),
    ("I might od on purpose", "en"),
    # Known and accepted: "me cortó" (cut me off) is "me corto" once accents are
    # dropped, as people often type. One early call is the cost (see risk.py).
    ("Me cortó la llamada, ¿pueden llamarme otra vez?", "es"),
    # People mix languages: each list is checked whatever the form's language.
    ("I keep thinking quiero morir", "en"),
    ("a veces I want to die", "es"),
]

MUST_NOT_FLAG = [
    ("I live 20 kms from the clinic, is there parking?", "en"),
    ("It's 35 km away", "en"),
    ("When does the infusion end? Is it long?", "en"),
    ("I'd like to end my current medication before starting", "en"),
    ("This chronic pain is killing me", "en"),
    ("I'm dying to know if my insurance covers it", "en"),
    ("Can ketamine cause an overdose?", "en"),
    ("My sleep has been bad and I am tired of the side effects", "en"),
    ("¿Cuánto cuesta la primera consulta?", "es"),
    ("Este dolor me está matando", "es"),
    ("Me muero de ganas de empezar", "es"),
    ("¿Puede la ketamina causar una sobredosis?", "es"),
    ("Vivo a 20 km de la clínica", "es"),
    ("Tengo ganas de mejorar y de volver a trabajar", "es"),
]


@pytest.mark.parametrize(("message", "language"), MUST_FLAG)
def test_the_table_of_phrases_that_must_flag(message, language):
    assert suggests_risk(message), (message, language)


@pytest.mark.parametrize(("message", "language"), MUST_NOT_FLAG)
def test_the_table_of_phrases_that_must_not_flag(message, language):
    assert not suggests_risk(message), (message, language)


def test_the_lists_are_read_from_one_reviewable_file_per_language():
    from clinic_site.intake import risk

    assert {path.name for path in risk.PHRASES_DIR.glob("*.txt")} == {"en.txt", "es.txt"}
    assert "kms" in RISK_PHRASES and "me voy a suicidar" in RISK_PHRASES_ES
    assert not any(phrase.startswith("#") for phrase in RISK_PHRASES + RISK_PHRASES_ES)


def test_the_spanish_list_has_no_duplicates_once_normalised():
    normalised = [normalise(phrase) for phrase in RISK_PHRASES_ES]
    assert len(normalised) == len(set(normalised))


@pytest.mark.parametrize(
    ("path", "message", "urgent"),
    [("/contact/", "I want to end it", True), ("/es/contact/", "me voy a suicidar", True)],
)
def test_a_request_with_a_new_phrase_is_stored_urgent_from_either_form(
    client, db, path, message, urgent
):
    from urllib.parse import urlencode

    from clinic_site.intake.models import ContactRequest
    from tests.factories import FORM_TYPE, form_data

    response = client.post(path, urlencode(form_data(message=message)), content_type=FORM_TYPE)

    assert response.status_code == 302
    assert ContactRequest.objects.get().urgent is urgent
