"""Issue 21's flows in a real browser, at 1366x768 and 390x844.

- "Tried, no answer" keeps a request open and out of the response figures; closing asks
  for an outcome.
- A phone call logged by staff joins the queue and the urgent check.
- A reply template opens in the mail client in the person's language.
- A request over the per-address limit is held, and staff see it in words.
- The queue: ten requests on one screen at 1366 px, nothing cut off; cards on a phone.
- New staff screens pass axe, the join flow's buttons included; a manager who is not a
  superuser sees no Django internals.
"""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clinic_site.accounts.roles import FRONT_DESK
from clinic_site.intake.models import ContactRequest, HoldReason, ReplyTemplate, Status
from tests.factories import make_contact_request, make_staff

from .axe import violations_at_each_size
from .conftest import STAFF_VIEWPORTS, give_back, logged_in_page, open_tab

pytestmark = pytest.mark.browser

RISK = "I have been thinking about ending my life."


def test_tried_no_answer_keeps_the_request_open_and_closing_asks_for_an_outcome(
    browser, site, front_desk_member, staff_viewport
):
    contact_request = make_contact_request(
        name="Pat Voicemail-Example",
        phone="555 010 0155",
        created_at=timezone.now() - timedelta(days=10),
    )
    page = logged_in_page(browser, site, staff_viewport, "desk")
    page.goto(site + contact_request.get_admin_url())

    page.get_by_label("Your note").fill("Left a message about times.")
    page.get_by_role("button", name="Phoned, left voicemail").click()

    expect(page.get_by_text("Recorded: Phoned, left voicemail.")).to_be_visible()
    contact_request.refresh_from_db()
    assert contact_request.status == Status.IN_PROGRESS
    assert contact_request.first_response_at is None
    page.goto(site + reverse("admin:intake_contactrequest_changelist"))
    row = page.locator("#result_list tbody tr", has_text="Pat Voicemail-Example")
    expect(row).to_contain_text("Tried; next try by")
    expect(row.locator(".staff-tag--overdue")).to_have_count(0)

    page.goto(site + contact_request.get_admin_url())
    page.get_by_role("button", name="Close with this outcome").click()
    expect(page.get_by_text("Choose an outcome to close this request.")).to_be_visible()
    outcome = page.get_by_label("Outcome", exact=True)
    outcome.select_option(label="No response after several attempts")
    page.get_by_role("button", name="Close with this outcome").click()

    expect(page.get_by_text("Closed: No response after 1 attempt.")).to_be_visible()
    contact_request.refresh_from_db()
    assert contact_request.status == Status.CLOSED
    assert contact_request.first_response_at is None  # never counted as a response
    give_back(page)


def test_a_phone_call_logged_by_staff_joins_the_queue_and_the_urgent_check(
    browser, site, front_desk_member, staff_viewport
):
    page = logged_in_page(browser, site, staff_viewport, "desk")
    page.goto(site + reverse("admin:intake_contactrequest_changelist"))
    page.get_by_role("link", name="Log a phone call or walk-in").click()

    page.get_by_label("Phone call").check()
    page.get_by_label("Their name").fill("Lee Caller-Example")
    page.get_by_label("Their phone number").fill("555 010 0177")
    page.locator("#id_preferred_contact_method_1").check()  # phone
    page.get_by_label("Depression").check()
    page.get_by_label("What they told us").fill(RISK)
    page.get_by_label("They agreed", exact=False).check()
    page.get_by_role("button", name="Log the request").click()

    expect(page.get_by_text("It is urgent: follow the urgent procedure now.")).to_be_visible()
    expect(page.locator(".staff-urgent-box")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="1 open urgent request")).to_be_visible()
    page.goto(site + reverse("admin:intake_contactrequest_changelist"))
    first = page.locator("#result_list tbody tr").first
    expect(first).to_contain_text("Lee Caller-Example")
    expect(first).to_contain_text("(phone call)")
    expect(first.locator(".staff-tag--urgent")).to_have_text("Urgent")
    give_back(page)


def test_a_reply_template_opens_in_the_persons_language(
    browser, site, front_desk_member, staff_viewport
):
    # The starter templates come from a migration, which a live-server test's database
    # has lost: the manager's own, then.
    ReplyTemplate.objects.create(
        title="First reply", language="en", subject="Hello", body="Dear {name},"
    )
    ReplyTemplate.objects.create(
        title="First reply",
        language="es",
        subject="Su solicitud",
        body="Estimado/a {name}:\n\nGracias por comunicarse con {clinic_name}.",
    )
    contact_request = make_contact_request(
        name="Rosa Example", email="rosa@example.com", preferred_language="es"
    )
    page = logged_in_page(browser, site, staff_viewport, "desk")
    page.goto(site + contact_request.get_admin_url())

    link = page.locator(".staff-replies a[href^='mailto:']").first
    expect(link).to_be_visible()
    url = urlsplit(link.get_attribute("href"))
    query = parse_qs(url.query)
    assert url.path == "rosa@example.com"
    assert query["body"][0].startswith("Estimado/a Rosa Example:")
    page.locator(".staff-replies summary").first.click()
    expect(page.locator(".staff-replies__body").first).to_contain_text("Gracias por comunicarse")
    give_back(page)


def test_a_request_over_the_limit_is_held_and_staff_see_it(
    browser, site, front_desk_member, settings
):
    settings.CONTACT_RATE_LIMIT = 1
    visitor = open_tab(browser, STAFF_VIEWPORTS["phone"])
    for name in ("First Sender-Example", "Second Sender-Example"):
        visitor.goto(site + reverse("intake:contact"))
        visitor.get_by_label("Your name").fill(name)
        visitor.get_by_label("Email address").fill("sender@example.com")
        visitor.locator("input[name=preferred_contact_method][value=email]").check()
        visitor.locator("input[name=interest][value=anxiety]").check()
        visitor.get_by_label("Your message").fill("Could you tell me about the first visit?")
        visitor.locator("input[name=consent]").check()
        visitor.locator(
            "form.contact-form button[type=submit], form button[type=submit]"
        ).last.click()
        expect(visitor).to_have_url(site + reverse("intake:thanks"))
    give_back(visitor)
    held = ContactRequest.objects.get(name="Second Sender-Example")
    assert held.held_reason == HoldReason.MANY_REQUESTS

    page = logged_in_page(browser, site, "laptop", "desk")
    page.goto(site + reverse("admin:intake_contactrequest_changelist") + "?held=held")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Held: many requests from one network")
    give_back(page)


def test_the_queue_fits_ten_rows_at_1366_and_cards_on_a_phone(
    browser, site, front_desk_member, staff_viewport
):
    now = timezone.now()
    for n in range(12):
        make_contact_request(
            name=f"Person Example-{n}",
            created_at=now - timedelta(hours=5 * n),
            notified_at=now - timedelta(hours=5 * n),
        )
    page = logged_in_page(browser, site, staff_viewport, "desk")
    page.goto(site + reverse("admin:intake_contactrequest_changelist"))

    width = STAFF_VIEWPORTS[staff_viewport]["width"]
    sizes = page.evaluate(
        """() => {
          const results = document.querySelector('.results');
          const rows = [...document.querySelectorAll('#result_list tbody tr')];
          return {page: document.documentElement.scrollWidth, inner: results.scrollWidth,
                  box: results.clientWidth, tenth: rows[9].getBoundingClientRect().bottom};
        }"""
    )
    assert sizes["page"] <= width, "the page scrolls sideways"
    assert sizes["inner"] <= sizes["box"], "the table scrolls sideways"
    overdue = page.locator("#result_list tbody tr").first.locator(".staff-tag--overdue")
    expect(overdue).to_have_text("Overdue")
    if staff_viewport == "laptop":
        assert sizes["tenth"] <= STAFF_VIEWPORTS["laptop"]["height"], "fewer than ten rows fit"
    else:
        expect(page.locator("#result_list thead")).to_be_hidden()
        card = page.locator("#result_list tbody tr").first
        label = card.locator(".field-first_response").evaluate(
            "e => getComputedStyle(e, '::before').content"
        )
        assert label == '"First response: "'
    give_back(page)


@pytest.mark.parametrize("screen", ["log", "close", "history", "user", "reset", "forbidden"])
def test_new_staff_screens_pass_axe_at_either_size(browser, site, front_desk_member, screen):
    make_staff("boss", superuser=True)
    contact_request = make_contact_request(name="Axe Example", message=RISK)
    colleague, _ = make_staff("colleague", groups=[FRONT_DESK])
    who = "desk" if screen == "forbidden" else "boss"
    page = logged_in_page(browser, site, "laptop", who, bypass_csp=True)
    changelist = site + reverse("admin:intake_contactrequest_changelist")
    if screen == "log":
        page.goto(site + reverse("admin:intake_contactrequest_log"))
        page.get_by_role("button", name="Log the request").click()  # with its errors
        expect(page.get_by_text("There is a problem:")).to_be_visible()
    elif screen == "close":
        page.goto(changelist)
        page.locator(f"input[name=_selected_action][value='{contact_request.pk}']").check()
        page.locator("select[name=action]").select_option("close")
        page.get_by_role("button", name="Go").click()
        expect(page.get_by_text("What was the outcome?", exact=True)).to_be_visible()
    elif screen == "history":
        page.goto(site + reverse("admin:intake_contactrequest_history", args=[contact_request.pk]))
    elif screen == "user":
        page.goto(site + reverse("admin:auth_user_change", args=[colleague.pk]))
    elif screen == "reset":
        page.goto(site + reverse("admin:auth_user_changelist"))
        page.locator(f"input[name=_selected_action][value='{colleague.pk}']").check()
        page.locator("select[name=action]").select_option("reset_authenticator")
        page.get_by_role("button", name="Go").click()
        expect(page.get_by_text("Reset the authenticator app of:")).to_be_visible()
    else:
        page.goto(site + reverse("admin:auth_group_changelist"))
        expect(page.get_by_text("You cannot open this page").first).to_be_visible()

    report = violations_at_each_size(page, STAFF_VIEWPORTS)
    assert report == "", f"axe-core on {screen}, {report}"
    give_back(page)


def test_a_manager_who_is_not_a_superuser_sees_no_django_internals(
    browser, site, front_desk_member
):
    manager, _ = make_staff("manager", groups=[FRONT_DESK])
    manager.user_permissions.add(
        Permission.objects.get(codename="manage_staff"),
        *Permission.objects.filter(codename__in=["view_user", "change_user", "view_group"]),
    )
    page = logged_in_page(browser, site, "laptop", "manager")
    page.goto(site + reverse("admin:index"))
    text = page.locator("body").inner_text().lower()
    for internal in ("axes", "otp_totp", "tasks database", "access attempts", "groups"):
        assert internal not in text, internal
    expect(page.get_by_role("link", name="Invitations")).to_be_visible()
    give_back(page)
