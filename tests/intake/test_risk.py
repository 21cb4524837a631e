"""The reviewed phrase list flags messages that suggest risk, and only those."""

import pytest

from clinic_site.intake.risk import RISK_PHRASES, normalise, suggests_risk


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
