"""Bots get the normal answer and nothing is stored; many requests from one address are
stored and held for a second look; only a flood far beyond that is refused (429).
Everything turned away is counted, never silently lost."""

import logging
import time
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache

from clinic_site.core import ratelimit
from clinic_site.intake.models import (
    ContactRequest,
    HoldReason,
    Notification,
    TurnedAway,
    TurnedAwayReason,
)
from tests.factories import THANKS_URL, form_data, submit

pytestmark = pytest.mark.django_db


def test_a_filled_honeypot_gets_the_normal_thank_you_and_nothing_is_stored(
    client, django_capture_on_commit_callbacks, run_task_worker
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            client, form_data(website="http://spam.example", message="Buy now http://x")
        )
    run_task_worker()

    assert response.status_code == 302
    assert response["Location"] == THANKS_URL
    assert ContactRequest.objects.count() == 0
    assert Notification.objects.count() == 0
    assert mail.outbox == []
    assert list(TurnedAway.objects.values_list("reason", flat=True)) == [TurnedAwayReason.BOT]


def test_a_bot_filling_only_the_honeypot_learns_nothing_from_errors(client):
    response = submit(client, {"website": "x"})

    assert response.status_code == 302
    assert ContactRequest.objects.count() == 0


def test_a_whitespace_honeypot_is_not_treated_as_a_bot(client):
    assert submit(client, form_data(website="  ")).status_code == 302
    assert ContactRequest.objects.count() == 1


def test_beyond_the_rate_limit_a_request_is_stored_and_held_not_refused(client, settings):
    settings.CONTACT_RATE_LIMIT = 2
    settings.CONTACT_FLOOD_LIMIT = 10

    responses = [submit(client, form_data(name=f"Person {n}")) for n in range(3)]

    assert [response.status_code for response in responses] == [302, 302, 302]
    assert responses[2]["Location"] == THANKS_URL
    held = dict(ContactRequest.objects.values_list("name", "held_reason"))
    assert held == {"Person 0": "", "Person 1": "", "Person 2": HoldReason.MANY_REQUESTS}
    assert not TurnedAway.objects.exists()


def test_only_a_flood_beyond_the_flood_limit_is_refused_and_counted(client, settings):
    settings.CONTACT_RATE_LIMIT = 1
    settings.CONTACT_FLOOD_LIMIT = 2

    assert submit(client).status_code == 302
    assert submit(client).status_code == 302  # held
    response = submit(client)

    assert response.status_code == 429
    page = response.content.decode()
    assert "You have sent several requests recently" in page
    assert "We have not saved this one" in page
    assert f'href="tel:{settings.CLINIC_PHONE.replace(" ", "")}"' in page
    assert ContactRequest.objects.count() == 2
    assert list(TurnedAway.objects.values_list("reason", flat=True)) == [TurnedAwayReason.FLOOD]
    assert "no-store" in response["Cache-Control"]


def test_a_flood_limit_of_zero_holds_but_never_refuses(client, settings):
    settings.CONTACT_RATE_LIMIT = 1
    settings.CONTACT_FLOOD_LIMIT = 0

    for _ in range(4):
        assert submit(client, form_data(name="Someone")).status_code == 302
    assert ContactRequest.objects.exclude(held_reason="").count() == 3


def test_the_rate_limit_is_per_client(client, settings):
    settings.CONTACT_RATE_LIMIT = 1

    submit(client, form_data(name="First"), REMOTE_ADDR="203.0.113.1")
    submit(client, form_data(name="Second"), REMOTE_ADDR="203.0.113.1")
    submit(client, form_data(name="Other"), REMOTE_ADDR="203.0.113.2")

    held = dict(ContactRequest.objects.values_list("name", "held_reason"))
    assert held == {"First": "", "Second": HoldReason.MANY_REQUESTS, "Other": ""}


def test_the_allowance_returns_when_the_configured_window_ends(client, settings):
    # A real one-second window: the counter's expiry is kept by the cache itself (in
    # Redis, by the server's clock), so no patched clock could stand in for it.
    settings.CONTACT_RATE_LIMIT = 1
    settings.CONTACT_FLOOD_LIMIT = 1
    settings.CONTACT_RATE_WINDOW_SECONDS = 1

    assert submit(client).status_code == 302
    assert submit(client).status_code == 429
    time.sleep(1.5)
    assert submit(client).status_code == 302
    assert ContactRequest.objects.count() == 2


def test_invalid_submissions_do_not_use_up_the_allowance(client, settings):
    settings.CONTACT_RATE_LIMIT = 1

    for _ in range(3):
        assert submit(client, form_data(email="typo")).status_code == 200

    assert submit(client).status_code == 302
    assert ContactRequest.objects.get().held_reason == ""


def test_rate_limited_message_suggesting_risk_still_shows_crisis_resources(client, settings):
    settings.CONTACT_RATE_LIMIT = 1
    settings.CONTACT_FLOOD_LIMIT = 1
    submit(client)

    response = submit(client, form_data(message="I keep thinking about suicide"))

    assert response.status_code == 429
    assert 'class="crisis-box"' in response.content.decode()
    assert ContactRequest.objects.filter(urgent=True).count() == 0


def test_a_limit_of_zero_turns_the_rate_limit_off(client, settings):
    settings.CONTACT_RATE_LIMIT = 0

    for _ in range(3):
        assert submit(client).status_code == 302
    assert ContactRequest.objects.count() == 3


def test_the_cache_never_holds_the_client_address(client, settings):
    settings.CONTACT_RATE_LIMIT = 5

    with mock.patch.object(cache, "add", wraps=cache.add) as add:
        submit(client, REMOTE_ADDR="198.51.100.77")

    keys = [call.args[0] if call.args else call.kwargs["key"] for call in add.call_args_list]
    assert keys
    assert not any("198.51.100.77" in key for key in keys)


def test_a_cache_outage_lets_the_request_through_and_logs_no_address(client, caplog):
    with (
        mock.patch.object(ratelimit, "hit", side_effect=ConnectionError("redis down")),
        caplog.at_level(logging.WARNING),
    ):
        response = submit(client, REMOTE_ADDR="198.51.100.9")

    assert response.status_code == 302
    assert ContactRequest.objects.count() == 1
    assert "198.51.100.9" not in caplog.text
