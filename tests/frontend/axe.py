"""axe-core, the WCAG 2.2 A and AA checker, run in a real page at each size a test names.

axe-core comes from npm (tools/package.json, pinned by its lock file) and is injected
into the page. The site's Content-Security-Policy rightly refuses injected scripts, so
the contexts these checks use bypass it; the browser-flow tests check the policy in a
normal context.
"""

import json
from pathlib import Path

from django.conf import settings

AXE = Path(settings.BASE_DIR) / "tools" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def run_axe(page) -> list[dict]:
    """axe-core's violations on the page as it is now."""
    if page.evaluate("() => typeof axe === 'undefined'"):
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


def at_each_size(page, sizes: dict[str, dict]):
    """Resize ``page`` to each of ``sizes`` in turn, yielding the size's name.

    The page is not loaded again: without JavaScript its CSS simply reflows to the new
    width, as when a reader turns their phone, so one visit checks every size.
    """
    for name, size in sizes.items():
        page.set_viewport_size(size)
        yield name


def violations_at_each_size(page, sizes: dict[str, dict], after_each=None) -> str:
    """axe-core's report on the page at each of ``sizes``; empty when it finds nothing.

    ``after_each(name)``, if given, is called at each size once it is checked (to take
    a screenshot at that size, say).
    """
    problems = []
    for name in at_each_size(page, sizes):
        if violations := run_axe(page):
            problems.append(f"at the {name} size:\n{describe(violations)}")
        if after_each:
            after_each(name)
    return "\n".join(problems)
