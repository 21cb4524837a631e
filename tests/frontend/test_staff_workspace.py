"""The front desk's workspace in a real browser, at a laptop's and a phone's size.

- An urgent request is marked "Urgent" in words, visibly, in the queue and on the request.
- From login to "urgent request assigned to me, note added, marked contacted" takes at
  most five clicks (typing is not counted), and the buttons are on screen at 1366x768
  without scrolling.
- An invited colleague goes from the email's link to their first login with a code.
- Staff pages have no axe-core (WCAG 2.2 A/AA) violations.

With DOCS_SCREENSHOTS=<folder> set, the axe test also saves the screenshots that
docs/contact-requests.md shows (scripts/staff-screenshots.sh).
"""

import base64
import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from clinic_site.accounts.models import Invitation
from clinic_site.accounts.roles import EDITOR, FRONT_DESK
from clinic_site.intake.models import ContactRequest, Status
from tests.factories import make_contact_request, make_staff
from tests.helpers import STAFF_PASSWORD, totp_token

from .axe import describe, run_axe, violations_at_each_size
from .conftest import LAPTOP, STAFF_VIEWPORTS, give_back, logged_in_page, open_tab

pytestmark = pytest.mark.browser

URGENT_NAME = "Riley Urgent-Example"
# The screenshots docs/contact-requests.md shows (scripts/staff-screenshots.sh).
DOCS_SCREENSHOTS = {
    ("queue", "laptop"),
    ("request", "laptop"),
    ("request", "phone"),
    ("dashboard", "laptop"),
    ("readership", "laptop"),
}
NEW_PASSWORD = "plum-ladder-orbit-canvas-9"
RISK_MESSAGE = "I have been thinking about ending my life and I do not know who to talk to."


@pytest.fixture
def queue(site):
    """Three requests like the issue's: one urgent, one routine, one past its target."""
    call_command("setup_roles", stdout=io.StringIO())
    now = timezone.now()
    make_contact_request(name="Sam Routine-Example", phone="555 010 0142")
    make_contact_request(
        name="Jo Waiting-Example",
        created_at=now - timedelta(days=10),  # past the target however it is counted
    )
    urgent = make_contact_request(name=URGENT_NAME, phone="(555) 010-7788", message=RISK_MESSAGE)
    # Earlier weeks' requests, answered, so the dashboard's charts have something to draw.
    for weeks_ago in range(1, 9):
        for hours in range(1 + weeks_ago % 3):
            earlier = make_contact_request(
                name=f"Earlier Example {weeks_ago}-{hours}",
                created_at=now - timedelta(weeks=weeks_ago, hours=hours),
                status=Status.CLOSED,
            )
            ContactRequest.objects.filter(pk=earlier.pk).update(
                first_response_at=earlier.created_at + timedelta(hours=2 + weeks_ago + hours * 3)
            )
    return urgent


def readership_figures_to_show() -> None:
    """Twelve weeks of counts for the shipped articles, a referring site, a search that
    found nothing on three days, and contact requests sent from articles."""
    from clinic_site.articles.models import Article
    from clinic_site.readership.models import ExcludedHits, PageViews, UnansweredSearch

    today = timezone.localdate()
    articles = list(Article.objects.published())
    for days_ago in range(0, 84, 3):
        day = today - timedelta(days=days_ago)
        for number, article in enumerate(articles):
            views = 5 + (days_ago * 7 + number * 13) % 40
            PageViews.objects.add(
                views,
                day=day,
                path=article.get_absolute_url(),
                language=article.language,
                referrer="",
            )
        PageViews.objects.add(
            3 + days_ago % 5, day=day, path="/", language="en", referrer="www.search.example"
        )
        ExcludedHits.objects.add(20, day=day, kind="robot")
    for days_ago in range(3):
        UnansweredSearch.objects.add(
            2, day=today - timedelta(days=days_ago), language="en", term="spravato nasal spray"
        )
    for article in articles[:3]:
        make_contact_request(name="Reader Example", from_article=article.slug)


class Clicks:
    """Counts every click the test makes, the way a person would count them."""

    def __init__(self):
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()


def test_the_urgent_request_is_marked_in_words_at_the_top_of_the_queue(
    browser, site, queue, front_desk_member, staff_viewport
):
    page = logged_in_page(browser, site, staff_viewport, "desk")
    page.goto(site + reverse("admin:intake_contactrequest_changelist"))

    first_row = page.locator("#result_list tbody tr").first
    assert URGENT_NAME in first_row.inner_text()
    tag = first_row.locator(".staff-tag--urgent")
    assert tag.inner_text() == "Urgent"
    box = tag.bounding_box()
    width = STAFF_VIEWPORTS[staff_viewport]["width"]
    assert tag.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= width
    highlighted = first_row.locator("td").first.evaluate("e => getComputedStyle(e).backgroundColor")
    plain = (
        page.locator("#result_list tbody tr", has_text="Sam Routine-Example")
        .locator("td")
        .first.evaluate("e => getComputedStyle(e).backgroundColor")
    )
    assert highlighted != plain
    assert page.get_by_role("status").filter(has_text="1 open urgent request").is_visible()

    page.get_by_role("link", name=URGENT_NAME).click()
    urgent_box = page.locator(".staff-urgent-box")
    expect(urgent_box).to_be_visible()
    expect(urgent_box).to_contain_text("suicide or self-harm")
    give_back(page)


def test_urgent_request_assigned_noted_and_contacted_in_five_clicks(
    browser, site, queue, staff_viewport
):
    _, token = make_staff("desk", groups=[FRONT_DESK])
    context = browser.new_context(viewport=STAFF_VIEWPORTS[staff_viewport])
    page = context.new_page()
    # Under the site's real Content-Security-Policy: a blocked style or script is an error.
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    clicks = Clicks()

    page.goto(site + reverse("admin:index"))
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(token())
    clicks.click(page.get_by_role("button", name="Log in"))
    clicks.click(page.get_by_role("link", name="1 open urgent request"))
    clicks.click(page.get_by_role("link", name=URGENT_NAME))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Contact request #{queue.pk}")

    buttons = [
        page.get_by_role("button", name="Assign to me"),
        page.get_by_role("button", name="Add note"),
        page.get_by_role("button", name="Mark contacted"),
    ]
    size = STAFF_VIEWPORTS[staff_viewport]
    for button in buttons:
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], "off to the side"
        if size == LAPTOP:
            assert box["y"] + box["height"] <= size["height"], "below the fold at 1366x768"
        assert box["height"] >= 24, "too small a target"  # WCAG 2.2 target size (minimum)
    clicks.click(buttons[0])
    expect(page.get_by_text("Assigned to you.")).to_be_visible()
    page.get_by_label("Your note").fill("Called back at once; they are safe and booked in.")
    clicks.click(page.get_by_role("button", name="Mark contacted"))

    expect(page.get_by_text("Marked contacted, with your note.")).to_be_visible()
    assert clicks.count <= 5
    request = ContactRequest.objects.get(name=URGENT_NAME)
    assert request.assigned_to.username == "desk"
    assert request.status == Status.CONTACTED
    assert request.notes.get().body.startswith("Called back at once")
    assert "No open urgent requests." in page.locator(".staff-urgent-count").inner_text()
    assert errors == []
    context.close()


def test_an_invited_colleague_joins_from_the_email_and_logs_in_with_a_code(
    browser, site, staff_viewport, mailoutbox
):
    call_command("setup_roles", stdout=io.StringIO())
    make_staff("manager", superuser=True)
    page = logged_in_page(browser, site, staff_viewport, "manager")
    page.goto(site + reverse("admin:accounts_invitation_add"))
    page.get_by_label("Work email address").fill("new.colleague@clinic.example")
    page.get_by_label("Role").select_option(FRONT_DESK)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Invitation sent to new.colleague@clinic.example")).to_be_visible()
    give_back(page)

    (email,) = mailoutbox
    link = re.search(r"https?://\S+/staff/join/\S+/", email.body).group(0)
    # bypass_csp: only so that axe-core can be injected on "You are set up".
    page = open_tab(browser, STAFF_VIEWPORTS[staff_viewport], bypass_csp=True)
    page.goto(site + "/" + link.split("/", 3)[3])
    expect(page.get_by_role("heading", level=1)).to_have_text("Join the staff pages")
    expect(page.get_by_role("img", name="QR code to add this account")).to_be_visible()
    # On a phone, nothing to scan: a link opens the authenticator app with the account.
    app_link = page.get_by_role("link", name="Add to my authenticator app")
    assert app_link.get_attribute("href").startswith("otpauth://totp/")
    page.get_by_label("Username").fill("newdesk")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    # What an authenticator app does with the key it scanned (here: the spelled-out key).
    secret = page.locator(".staff-secret").inner_text().replace(" ", "")
    app = TOTP(base64.b32decode(secret))
    page.get_by_label("Code from your authenticator app").fill(f"{app.token():06d}")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are set up")
    # Every new colleague's last step: its button must be readable (it was blue on blue).
    violations = run_axe(page)
    assert violations == [], f"axe-core on You are set up:\n{describe(violations)}"

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("newdesk")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    device = TOTPDevice.objects.get(user__username="newdesk")
    page.get_by_label("Code from your authenticator app").fill(totp_token(device))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("No open urgent requests.")).to_be_visible()
    expect(page.get_by_role("link", name="Contact requests").first).to_be_visible()
    give_back(page)


@pytest.mark.parametrize(
    "screen",
    [
        "index",
        "queue",
        "request",
        "request-phone-search",
        "dashboard",
        "readership",
        "join",
        "invite",
        "users",
    ],
)
def test_staff_pages_have_no_wcag_violations_at_either_size(browser, site, queue, screen):
    make_staff("manager", superuser=True)
    page = logged_in_page(browser, site, "laptop", "manager", bypass_csp=True)
    if screen == "index":
        page.goto(site + reverse("admin:index"))
    elif screen == "queue":
        page.goto(site + reverse("admin:intake_contactrequest_changelist"))
    elif screen == "request":
        page.goto(site + queue.get_admin_url())
    elif screen == "join":
        invitation = Invitation.objects.create(
            email="new.colleague@clinic.example",
            role=FRONT_DESK,
            invited_by=get_user_model().objects.get(username="manager"),
        )
        page.goto(site + invitation.get_accept_url())
    elif screen == "invite":
        page.goto(site + reverse("admin:accounts_invitation_add"))
    elif screen == "users":
        page.goto(site + reverse("admin:auth_user_changelist"))
    elif screen == "dashboard":
        page.goto(site + reverse("admin:dashboard"))
        expect(page.locator("svg.staff-chart")).to_have_count(2)
    elif screen == "readership":
        readership_figures_to_show()
        page.goto(site + reverse("admin:readership"))
        expect(page.locator("svg.staff-chart")).to_have_count(3)
    else:
        page.goto(site + reverse("admin:intake_contactrequest_changelist"))
        page.get_by_label("Search").fill("5550107788")
        page.get_by_role("button", name="Search", exact=True).click()
        expect(page.get_by_text("Search active:")).to_be_visible()

    docs = os.environ.get("DOCS_SCREENSHOTS")

    def docs_screenshot(size):
        if docs and (screen, size) in DOCS_SCREENSHOTS:
            Path(docs).mkdir(parents=True, exist_ok=True)
            suffix = "" if size == "laptop" else f"-{size}"
            page.screenshot(path=str(Path(docs) / f"staff-{screen}{suffix}.png"), full_page=True)

    report = violations_at_each_size(page, STAFF_VIEWPORTS, after_each=docs_screenshot)
    assert report == "", f"axe-core on {screen}, {report}"
    give_back(page)


def test_front_desk_cannot_edit_articles_and_an_editor_sees_no_requests(
    browser, site, queue, front_desk_member, staff_viewport
):
    page = logged_in_page(browser, site, staff_viewport, "desk")
    response = page.goto(site + reverse("admin:articles_article_changelist"))
    assert response.status == 403
    page.goto(site + reverse("admin:index"))
    expect(page.get_by_role("link", name="Articles")).to_have_count(0)
    give_back(page)

    make_staff("editor", groups=[EDITOR])
    page = logged_in_page(browser, site, staff_viewport, "editor")
    page.goto(site + reverse("admin:index"))
    expect(page.get_by_role("link", name="Contact requests")).to_have_count(0)
    expect(page.get_by_text("open urgent request")).to_have_count(0)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="“Was this page helpful?” per article")).to_be_visible()
    expect(page.get_by_text("Contact requests now")).to_have_count(0)
    expect(page.locator("svg.staff-chart")).to_have_count(0)
    assert URGENT_NAME not in page.content()
    response = page.goto(site + queue.get_admin_url())
    assert response.status == 403
    give_back(page)
