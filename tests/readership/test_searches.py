"""Searches that find nothing: only words, shown once searched on three different days,
kept for 90 days at most."""

from datetime import timedelta

import pytest
import time_machine

from clinic_site.readership import counting
from clinic_site.readership.figures import unanswered_searches
from clinic_site.readership.models import UnansweredSearch
from clinic_site.readership.retention import purge_old_figures
from clinic_site.readership.searches import clean_term
from tests.factories import make_article, make_staff
from tests.helpers import force_login_verified

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
# Noon in New York on three days running, across the end of February in a leap year.
DAYS = ["2028-02-28 17:00:00+00:00", "2028-02-29 17:00:00+00:00", "2028-03-01 17:00:00+00:00"]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("spravato cost 2024", "spravato cost"),
        ("ketamine for ana.perez@example.com", "ketamine for"),
        ("call me on 555-010-0147 please", "call me on please"),
        ("+1 (555) 010 0147", ""),
        ("Ketamine side effects", "ketamine side effects"),
        ("infusion appointment Maria", "infusion appointment"),
        ("Maria Lopez", ""),
        ("is dr smith available", "is available"),
        ("Dra. García horario", "horario"),
        ("PTSD and OCD", "ptsd and ocd"),
        ("see https://example.com/x?id=9 now", "see now"),
        ("<script>alert(1)</script>", "script alert script"),
    ],
)
def test_a_term_keeps_words_and_loses_digits_emails_names_and_phone_numbers(typed, kept):
    assert clean_term(typed) == kept


def search(client, words: str, **headers):
    response = client.get(
        "/articles/search/", {"q": words}, headers={"user-agent": BROWSER, **headers}
    )
    assert response.status_code == 200
    counting.flush()


@pytest.mark.django_db
def test_a_search_that_finds_nothing_appears_only_on_its_third_day_and_without_digits(client):
    # Words no article holds: "Spravato" would find this one on PostgreSQL, whose search
    # knows the brand name belongs with ketamine.
    with time_machine.travel(DAYS[0], tick=False):  # published before the first search
        make_article(title="How infusions work", body="Ketamine infusions explained.")
    for number, moment in enumerate(DAYS, start=1):
        with time_machine.travel(moment, tick=False):
            search(client, f"parking garage hours {number}00")
            search(client, "Parking garage hours")  # the same words again, the same day
            search(client, "ketamine")  # finds an article: never counted
            shown = unanswered_searches()
        if number < 3:
            assert shown == {"en": [], "es": []}, f"shown on day {number}"

    [row] = shown["en"]
    assert (row["term"], row["days"], row["searches"]) == ("parking garage hours", 3, 6)
    assert not any(
        char.isdigit() for char in "".join(UnansweredSearch.objects.values_list("term", flat=True))
    )
    assert set(UnansweredSearch.objects.values_list("term", flat=True)) == {"parking garage hours"}


@pytest.mark.django_db
def test_spanish_searches_are_kept_apart(client):
    for moment in DAYS:
        with time_machine.travel(moment, tick=False):
            client.get("/es/articles/search/", {"q": "precio"}, headers={"user-agent": BROWSER})
            counting.flush()
            shown = unanswered_searches()

    assert [row["term"] for row in shown["es"]] == ["precio"]
    assert shown["en"] == []


@pytest.mark.django_db
def test_robots_and_staff_searches_are_not_kept(client):
    search(client, "zebra", **{"user-agent": "Googlebot/2.1"})
    user, _ = make_staff("editor", superuser=True)
    force_login_verified(client, user)
    search(client, "giraffe")

    assert not UnansweredSearch.objects.exists()


@pytest.mark.django_db
def test_searches_are_kept_ninety_days_at_most():
    with time_machine.travel(DAYS[2], tick=False):
        from django.utils import timezone

        today = timezone.localdate()
        UnansweredSearch.objects.add(1, day=today - timedelta(days=90), language="en", term="old")
        UnansweredSearch.objects.add(1, day=today - timedelta(days=89), language="en", term="new")
        purge_old_figures()

    assert list(UnansweredSearch.objects.values_list("term", flat=True)) == ["new"]
