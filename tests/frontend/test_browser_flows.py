"""The site as people use it, in a real browser at phone and desktop size.

- A reader goes from the home page to an article through the navigation and the
  article's table of contents.
- A patient sends the contact form with a mistake, fixes it and sees the thank-you page.
- A member of the front desk logs in to the admin (password and authenticator code)
  and marks that request as contacted.

Every page is loaded under the site's real Content-Security-Policy: any violation or
other console error fails the test, and so does any request to another origin.
With TEST_SCREENSHOTS=1, screenshots of each step go to test-artifacts/screenshots/
(git-ignored; scripts/editing-screenshots.sh takes docs/editing.md's from there); a
visit that saw a problem is screenshotted whatever the setting. Without it they are not
taken: a full-page screenshot costs chromium most of a second, and nobody looks at them.
"""

import io
import os
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from clinic_site.accounts.roles import FRONT_DESK
from clinic_site.intake.models import ContactRequest, Status
from tests.factories import make_staff
from tests.helpers import STAFF_PASSWORD

from .conftest import ARTIFACTS, VIEWPORTS, give_back, open_tab
from .pages import PATIENT, choose, fill_contact_form, submit_contact_form

pytestmark = pytest.mark.browser

SCREENSHOTS = ARTIFACTS / "screenshots"
TAKE_SCREENSHOTS = os.environ.get("TEST_SCREENSHOTS") == "1"


class Visit:
    """A browser tab that records console errors and off-site requests, and screenshots."""

    def __init__(self, browser, site: str, viewport: str, flow: str):
        self.site = site
        self.name = f"{flow}-{viewport}"
        self.page = open_tab(browser, VIEWPORTS[viewport])
        self.problems: list[str] = []
        self.page.on("console", self._check_console)
        self.page.on("pageerror", self._check_script)
        self.page.on("request", self._check_origin)
        self.step = 0

    def _check_script(self, error):
        self.problems.append(str(error))

    def _check_console(self, message):
        if message.type == "error":
            self.problems.append(f"{message.text} ({message.location.get('url')})")

    def _check_origin(self, request):
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "blob") and f"{parts.scheme}://{parts.netloc}" != self.site:
            self.problems.append(f"request to another origin: {request.url}")

    def screenshot(self, label: str, *, full_page: bool = True, wanted: bool = False) -> None:
        self.step += 1
        if TAKE_SCREENSHOTS or wanted:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            path = SCREENSHOTS / f"{self.name}-{self.step:02d}-{label}.png"
            self.page.screenshot(path=path, full_page=full_page)

    def close(self) -> None:
        if not self.page.is_closed():
            # Let the page finish its own requests first (still watched): leaving while
            # one is being sent (the editor's live preview, sent again whenever a page
            # with the editor opens) cuts its body short, which the server answers 400.
            self.page.wait_for_load_state("networkidle")
        # The tab goes to the next test (tests/frontend/conftest.py, Tabs) without the
        # handlers this visit added.
        self.page.remove_listener("console", self._check_console)
        self.page.remove_listener("pageerror", self._check_script)
        self.page.remove_listener("request", self._check_origin)
        if self.problems and not self.page.is_closed():
            self.screenshot("problem", wanted=True)
        give_back(self.page)
        assert self.problems == [], "\n".join(self.problems)


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def visits(browser, site, viewport, request):
    opened = []

    def open_visit(flow: str) -> Visit:
        visit = Visit(browser, site, viewport, flow)
        opened.append(visit)
        return visit

    yield open_visit
    for visit in opened:
        visit.close()


def test_reader_reaches_an_article_through_navigation_and_contents(visits):
    visit = visits("reader")
    page = visit.page
    page.goto(visit.site + "/")
    assert page.get_by_role("heading", level=1).count() == 1
    visit.screenshot("home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Articles").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Articles"
    visit.screenshot("article-list")

    page.get_by_role("link", name="How ketamine infusion therapy works").click()
    assert (
        page.get_by_role("heading", level=1).inner_text() == "How ketamine infusion therapy works"
    )
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumb")
    assert breadcrumbs.get_by_role("link", name="Articles").is_visible()
    assert page.get_by_text("min read").is_visible()
    visit.screenshot("article")

    contents = page.get_by_role("navigation", name="On this page")
    contents.get_by_role("link", name="How an infusion is given").click()
    section = page.get_by_role("heading", name="How an infusion is given", level=2)
    page.wait_for_url("**#how-an-infusion-is-given")
    assert section.is_visible()
    box = section.bounding_box()
    assert -1 <= box["y"] < page.viewport_size["height"] / 2, "section heading not scrolled to"
    visit.screenshot("contents-jump", full_page=False)

    related = page.get_by_role("region", name="Related articles")
    assert related.get_by_role("link").count() >= 1
    assert page.get_by_role("link", name="Send us a contact request").is_visible()


def test_patient_fixes_a_mistake_and_sends_the_contact_form(visits):
    visit = visits("patient")
    page = visit.page
    page.goto(visit.site + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contact").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Contact the clinic"
    visit.screenshot("form")

    fill_contact_form(page, email="alex@example")  # no top-level domain
    response = submit_contact_form(page)

    assert response.status == 200
    assert page.title().startswith("Error:")
    summary = page.locator(".error-summary")
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    email = page.get_by_label("Email address")
    assert email.get_attribute("aria-invalid") == "true"
    described_by = email.get_attribute("aria-describedby").split()
    error_text = page.locator(f"#{described_by[-1]}").inner_text()
    assert "Enter an email address in the correct format" in error_text
    assert ContactRequest.objects.count() == 0
    visit.screenshot("errors")

    summary.get_by_role("link", name="Enter an email address in the correct format").click()
    assert page.evaluate("document.activeElement.name") == "email"
    email.fill(PATIENT["email"])
    # Everything else the patient typed or chose is still there.
    assert page.get_by_label("Your name").input_value() == PATIENT["name"]
    assert page.get_by_label("Your message").input_value() == PATIENT["message"]
    response = submit_contact_form(page)

    assert response.url.endswith("/contact/thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you: we have your request"
    assert ContactRequest.objects.get().email == PATIENT["email"]
    visit.screenshot("thanks")


def test_front_desk_marks_the_request_contacted_in_the_admin(visits):
    patient = visits("request")
    patient.page.goto(patient.site + "/contact/")
    fill_contact_form(patient.page)
    submit_contact_form(patient.page)
    request = ContactRequest.objects.get()
    assert request.status == Status.NEW

    call_command("setup_roles", stdout=io.StringIO())
    _user, token = make_staff("desk", groups=[FRONT_DESK])
    visit = visits("staff")
    page = visit.page
    requests_page = reverse("admin:intake_contactrequest_changelist")
    page.goto(visit.site + requests_page)
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    visit.screenshot("login")
    page.locator("input[name=otp_token]").fill(token())
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(visit.site + requests_page)
    row = page.locator("#result_list tbody tr", has_text=PATIENT["name"])
    assert row.count() == 1
    visit.screenshot("requests")
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Mark selected requests as contacted")
    page.get_by_role("button", name="Go").click()

    page.wait_for_load_state()
    assert "1 request now contacted" in page.locator(".messagelist").inner_text()
    assert (
        "Contacted" in page.locator("#result_list tbody tr", has_text=PATIENT["name"]).inner_text()
    )
    request.refresh_from_db()
    assert request.status == Status.CONTACTED
    visit.screenshot("contacted")


def test_a_spanish_reader_switches_language_and_sends_an_urgent_request(visits, settings):
    """From an English page to its Spanish version by the language link; the Spanish
    form, with a message that suggests risk, shows 988's Spanish options first."""
    visit = visits("paciente")
    page = visit.page
    page.goto(visit.site + "/contact/")
    page.get_by_role("link", name="Español").click()
    page.wait_for_url("**/es/contact/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", level=1).inner_text() == "Comuníquese con la clínica"
    visit.screenshot("formulario")

    page.get_by_label("Su nombre").fill("Ana Ejemplo")
    page.get_by_label("Correo electrónico").first.fill("ana@example.com")
    choose(page, "¿Cómo prefiere que nos comuniquemos con usted?", "Correo electrónico")
    choose(page, "¿De qué le gustaría hablar con nosotros?", "Depresión")
    page.get_by_label("Su mensaje").fill("Ya no quiero vivir así y no sé qué hacer.")
    page.locator("input[name=consent]").check()
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Enviar su solicitud").click()

    assert navigation.value.url.endswith("/es/contact/thanks/")
    crisis = page.get_by_role("region", name=re.compile("no espere nuestra respuesta"))
    assert crisis.is_visible()
    call = crisis.get_by_role(
        "link", name=f"Llame al 988 y marque el {settings.URGENT_HELP_PHONE_OPTION_ES}"
    )
    assert call.get_attribute("href") == "tel:988"
    text_link = crisis.get_by_role("link", name=re.compile("AYUDA"))
    assert text_link.get_attribute("href") == "sms:988?body=AYUDA"
    stored = ContactRequest.objects.get()
    assert stored.urgent
    assert (stored.language, stored.preferred_language) == ("es", "es")
    visit.screenshot("gracias-urgente")
