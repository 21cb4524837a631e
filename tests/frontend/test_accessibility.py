"""axe-core finds no WCAG 2.2 A or AA problems on any public page, at phone and desktop size.

axe-core comes from npm (tools/package.json, pinned by its lock file) and is injected
into each page. The site's Content-Security-Policy rightly refuses injected scripts, so
these contexts bypass it; the browser-flow tests check the policy in a normal context.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import VIEWPORTS
from .pages import ALL_PAGES, open_page

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "tools" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def run_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
            }));
        }""",
        WCAG_TAGS,
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}")
            lines.extend(f"        {line}" for line in node["summary"].splitlines())
    return "\n".join(lines)


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def axe_page(request, browser):
    context = browser.new_context(viewport=VIEWPORTS[request.param], bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("name", ALL_PAGES)
def test_page_has_no_wcag_violations(site, axe_page, name):
    open_page(axe_page, site, name)

    violations = run_axe(axe_page)

    assert violations == [], f"axe-core on {name}:\n{describe(violations)}"


def test_axe_check_reports_a_real_problem(site, axe_page):
    # Guards the check itself: a page with a known failure must not come back clean.
    open_page(axe_page, site, "home")
    axe_page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "/static/img/favicon.svg";  // no alt text
            document.querySelector("main").append(img);
        }"""
    )

    assert "image-alt" in {violation["id"] for violation in run_axe(axe_page)}
