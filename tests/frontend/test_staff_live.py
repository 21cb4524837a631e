"""Urgent requests in a real browser, at a laptop's and a phone's size.

- The patient's own words are on screen without scrolling on an urgent request.
- A Spanish urgent request shows the Spanish urgent procedure.
- An open queue page shows a new urgent request within 60 seconds, without a reload by
  hand, and the tab title carries the count; typed text is never lost to a refresh.
"""

import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import make_contact_request

from .conftest import STAFF_VIEWPORTS, give_back, logged_in_page

pytestmark = pytest.mark.browser

MESSAGE = "I have been thinking about ending my life and I do not know who to talk to."
SPANISH = "Ya no aguanto más. Me voy a suicidar, no sé a quién llamar."


def fully_on_screen(locator, staff_viewport: str) -> bool:
    box = locator.bounding_box()
    size = STAFF_VIEWPORTS[staff_viewport]
    return (
        box is not None
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
    )


def test_the_patients_message_is_visible_without_scrolling_on_an_urgent_request(
    browser, site, front_desk_member, staff_viewport
):
    urgent = make_contact_request(
        name="Riley Urgent-Example", phone="(555) 010-7788", message=MESSAGE
    )
    page = logged_in_page(browser, site, staff_viewport, "desk")
    page.goto(site + urgent.get_admin_url())

    message = page.locator(".staff-words__message")
    expect(message).to_contain_text("thinking about ending my life")
    assert fully_on_screen(message, staff_viewport), message.bounding_box()
    how = page.locator(".staff-words__how")
    expect(how).to_contain_text("Contact in English")
    expect(how).to_contain_text("Prefers email")
    assert fully_on_screen(how, staff_viewport)
    # Above the contact details.
    phone_link = page.get_by_role("link", name="(555) 010-7788")
    assert message.bounding_box()["y"] < phone_link.bounding_box()["y"]
    give_back(page)


def test_a_spanish_urgent_request_shows_the_spanish_procedure(
    browser, site, front_desk_member, staff_viewport
):
    urgent = make_contact_request(message=SPANISH, language="es", preferred_language="es")
    page = logged_in_page(browser, site, staff_viewport, "desk")
    page.goto(site + urgent.get_admin_url())

    box = page.locator(".staff-urgent-box")
    expect(box).to_contain_text("Spanish-speaking colleague")
    expect(box).to_contain_text("press 2")
    expect(box.get_by_role("link", name="988")).to_be_visible()
    expect(page.locator(".staff-words__how")).to_contain_text("Contact in Spanish")
    expect(page.locator(".staff-words__message")).to_contain_text("Me voy a suicidar")
    assert fully_on_screen(page.locator(".staff-words__message"), staff_viewport)
    give_back(page)


def test_a_new_urgent_request_appears_on_an_open_queue_within_60_seconds(
    browser, site, front_desk_member, staff_viewport, settings
):
    # The laptop proves the promise with the shipped refresh interval (a wait of up to
    # a minute); the phone checks the same refresh in its layout, polling every 2 s.
    if staff_viewport != "laptop":
        settings.STAFF_POLL_SECONDS = 2
    make_contact_request(name="Sam Routine-Example")
    page = logged_in_page(browser, site, staff_viewport, "desk")
    page.goto(site + reverse("admin:intake_contactrequest_changelist"))
    expect(page.locator(".staff-urgent-count")).to_contain_text("No open urgent requests")
    assert not page.title().startswith("(")

    arrived = time.monotonic()
    make_contact_request(name="Riley Urgent-Example", message=MESSAGE)

    first_row = page.locator("#result_list tbody tr").first
    expect(first_row).to_contain_text("Riley Urgent-Example", timeout=60_000)
    assert time.monotonic() - arrived < 60
    expect(first_row.locator(".staff-tag--urgent")).to_have_text("Urgent")
    assert page.title().startswith("(1 urgent) ")
    give_back(page)


def test_typed_text_is_never_lost_to_the_refresh(browser, site, front_desk_member, settings):
    settings.STAFF_POLL_SECONDS = 5
    note_on = make_contact_request(name="Sam Routine-Example")
    page = logged_in_page(browser, site, "laptop", "desk")
    page.goto(site + note_on.get_admin_url())
    page.get_by_label("Your note").fill("Half-written note about the call")

    make_contact_request(name="Riley Urgent-Example", message=MESSAGE)

    banner = page.locator(".staff-urgent-count")
    expect(banner).to_contain_text("1 open urgent request", timeout=30_000)
    assert page.title().startswith("(1 urgent) ")
    assert page.get_by_label("Your note").input_value() == "Half-written note about the call"
    give_back(page)
