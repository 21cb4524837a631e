"""Fixtures for the front-end checks: the real site on a live server, and Debian's chromium.

Set-up (chromium from apt, axe-core from tools/package-lock.json) is done by
``scripts/ensure-chromium.sh``, which ``make test`` runs first.
"""

import io
import os
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium keeps trying (and failing) to reach
# Google's servers from this sandbox; none of them change how pages render.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
# Staff screens are checked on the front desk's laptop and on a phone.
LAPTOP = {"width": 1366, "height": 768}
STAFF_VIEWPORTS = {"laptop": LAPTOP, "phone": PHONE}

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"  # git-ignored


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole run (for each xdist worker that needs one):
    starting it costs about a second of CPU, and its tabs are reused from module to
    module (Tabs).

    Playwright's sync API runs an event loop in this thread, which makes Django refuse
    ORM calls from it ("async context"); the tests' own database calls are ordinary
    synchronous ones, so the check is lifted while the browser is open: from the first
    browser test to the end of the run, in that process. CI's runs of the in-process
    tests alone start no browser, so the check stays on there.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            _tabs[id(launched)] = Tabs(launched)
            yield launched
            del _tabs[id(launched)]
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Tabs:
    """Browser tabs kept open from one test to the next.

    A new tab (or context) costs chromium about 1.5 s of CPU (its own renderer process):
    as much as a whole axe-core check, and most of a short flow. So a test takes a tab
    with ``open_tab`` and hands it back with ``give_back``, and the next test asking for
    the same kind (context options) gets it as a new visitor would: a blank page, no
    cookies, at the size it asks for. Each tab has a context of its own, so a test that
    needs two people at once holds two tabs. A test that fails keeps its tab.
    """

    def __init__(self, browser):
        self._browser = browser
        self._idle: dict[tuple, list] = {}

    def take(self, viewport: dict, **context_options):
        kind = tuple(sorted(context_options.items()))
        idle = self._idle.setdefault(kind, [])
        page = idle.pop() if idle else self._browser.new_context(**context_options).new_page()
        page.set_viewport_size(viewport)
        page._tab_kind = (self, kind)
        return page

    def give_back(self, page, kind) -> None:
        if page.is_closed():
            return
        try:
            # A blank page ends whatever the last one was doing (the queue's refresh),
            # so no request of the last test reaches the server during the next.
            page.goto("about:blank")
        except PlaywrightError:
            # The page refused to be left (an editor's unsaved changes, the dialog
            # dismissed): it is not a blank tab for anyone else.
            page.context.close()
            return
        page.context.clear_cookies()
        self._idle[kind].append(page)


_tabs: dict[int, Tabs] = {}  # by id() of the browser


def open_tab(browser, viewport: dict, **context_options):
    """A tab of ``browser`` at ``viewport``'s size (see Tabs)."""
    return _tabs[id(browser)].take(viewport, **context_options)


def give_back(page) -> None:
    """Return a tab from ``open_tab`` or ``logged_in_page`` for the next test."""
    tabs, kind = page._tab_kind
    tabs.give_back(page, kind)


@pytest.fixture
def site(live_server, transactional_db):
    """The base URL of a live server with the shipped articles imported."""
    import_shipped_content_once()
    return live_server.url


# This process's copy of the test database just after the first import of the shipped
# articles (SQLite in memory only). Every browser test starts from the same imported
# content on an emptied database, so after the first import each test copies it back
# (SQLite's backup API, a few milliseconds) instead of importing again (most of a second).
_imported: sqlite3.Connection | None = None


def import_shipped_content_once() -> None:
    global _imported
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        _import_shipped_content()
        return
    connection.ensure_connection()
    if get_user_model().objects.exists():
        # Something made before this fixture (a staff member) must not be copied over.
        _import_shipped_content()
    elif _imported is None:
        # The state every test starts from, whichever runs first in this process: an
        # emptied database (as after any earlier test's flush), then the import.
        call_command("flush", interactive=False, verbosity=0)
        _import_shipped_content()
        _imported = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(_imported)
    else:
        _imported.backup(connection.connection)
        # The emptied database got new content-type rows; the copy has its own.
        ContentType.objects.clear_cache()


def _import_shipped_content() -> None:
    call_command("import_content", stdout=io.StringIO())
    from .pages import import_spanish_sample

    import_spanish_sample()


@pytest.fixture
def content(db):
    """The shipped articles (content/*.md), imported as `make run` does."""
    call_command("import_content", stdout=io.StringIO())
    from .pages import import_spanish_sample

    import_spanish_sample()


@pytest.fixture(params=list(STAFF_VIEWPORTS))
def staff_viewport(request):
    """Each staff screen test runs at the laptop's size and at the phone's."""
    return request.param


@pytest.fixture
def front_desk_member(site):
    """The staff member "desk", in the Front desk role, on the live site; a tab logged in
    as them: ``logged_in_page(browser, site, staff_viewport, "desk")``."""
    from clinic_site.accounts.roles import FRONT_DESK
    from tests.factories import make_member

    return make_member(FRONT_DESK, "desk")[0]


def logged_in_page(browser, site, viewport, username, **context_options):
    """A tab (``open_tab``; ``give_back`` when done) in which ``username`` is logged in,
    second factor verified (``hand_session_to``)."""
    page = open_tab(browser, STAFF_VIEWPORTS[viewport], **context_options)
    hand_session_to(page, site, username)
    return page


def hand_session_to(page, site, username) -> None:
    """Log ``username`` in, second factor verified, in ``page``'s browser context.

    The browser is handed the session a real login makes, as its cookie. Logging in
    through the form (password and code) is a flow of its own, tested where it is the
    point (test_browser_flows, the reviewer's sign-off in test_editor_flows, and the five
    clicks and the invitation in test_staff_workspace); before every other screen it
    would only repeat itself, at more than a second a time.
    """
    from django.test import Client

    from tests.helpers import force_login_verified

    client = force_login_verified(Client(), get_user_model().objects.get(username=username))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    # As the server sets it. A __Host- cookie is Secure, which chromium accepts from the
    # test server because localhost counts as a secure origin; handed over directly, it
    # must name an https address (cookies are not bound to a scheme or port).
    secure = settings.SESSION_COOKIE_SECURE
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "httpOnly": True}
    cookie |= {"url": site.replace("http:", "https:") if secure else site, "secure": secure}
    page.context.add_cookies([{**cookie, "sameSite": "Lax"}])
