"""axe-core finds no WCAG 2.2 A or AA problems on any public page, at phone and desktop size.

Each page is opened once and checked at both sizes (tests/frontend/axe.py).
"""

import pytest

from .axe import run_axe, violations_at_each_size
from .conftest import PHONE, VIEWPORTS, give_back, open_tab
from .pages import ALL_PAGES, open_page

pytestmark = pytest.mark.browser


@pytest.fixture
def axe_page(browser):
    page = open_tab(browser, PHONE, bypass_csp=True)
    yield page
    give_back(page)


@pytest.mark.parametrize("name", ALL_PAGES)
def test_page_has_no_wcag_violations(site, axe_page, name):
    open_page(axe_page, site, name)

    report = violations_at_each_size(axe_page, VIEWPORTS)

    assert report == "", f"axe-core on {name}, {report}"


def test_axe_check_reports_a_real_problem_at_each_size(site, axe_page):
    # Guards the check itself: a page with a known failure must not come back clean,
    # at either size.
    open_page(axe_page, site, "home")
    axe_page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "/static/img/favicon.svg";  // no alt text
            document.querySelector("main").append(img);
        }"""
    )

    assert "image-alt" in {violation["id"] for violation in run_axe(axe_page)}
    report = violations_at_each_size(axe_page, VIEWPORTS)
    assert [line.split(":")[0] for line in report.splitlines() if line.startswith("at the")] == [
        f"at the {size} size" for size in VIEWPORTS
    ]
    assert report.count("] image-alt: ") == len(VIEWPORTS)
