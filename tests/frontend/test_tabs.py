"""The tabs browser tests share (tests/frontend/conftest.py, Tabs) come back as new."""

import pytest
from django.urls import reverse

from .conftest import LAPTOP, PHONE, give_back, logged_in_page, open_tab

pytestmark = pytest.mark.browser


def test_a_tab_handed_back_is_reused_blank_without_cookies_at_the_size_asked_for(
    browser, site, front_desk_member
):
    page = logged_in_page(browser, site, "laptop", "desk")
    page.goto(site + reverse("admin:intake_contactrequest_changelist"))
    assert page.context.cookies(), "the logged-in tab has its session"
    give_back(page)

    again = open_tab(browser, PHONE)

    assert again is page
    assert again.url == "about:blank"
    assert again.context.cookies() == []
    assert again.viewport_size == PHONE
    response = again.goto(site + reverse("admin:intake_contactrequest_changelist"))
    assert "/login/" in response.url, "the next test must not find the last one logged in"
    give_back(again)


def test_two_tabs_open_at_once_are_two_people(browser, site, front_desk_member):
    first = logged_in_page(browser, site, "laptop", "desk")
    second = open_tab(browser, LAPTOP)

    assert second is not first and second.context is not first.context
    assert second.context.cookies() == []
    give_back(first)
    give_back(second)
